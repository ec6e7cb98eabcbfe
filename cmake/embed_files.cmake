# Writes OUT, a C++ file defining `const char* const NAME` holding the text of FILE.
# Usage: cmake -DOUT=x.cc -DNAME=kFuxingDivisionsCsv -DFILE=data/fuxing-divisions.csv -P embed_files.cmake
file(READ "${FILE}" text)
file(WRITE "${OUT}.tmp" "// Generated from ${FILE} by cmake/embed_files.cmake. Do not edit.\nnamespace gongzhi {\nextern const char* const ${NAME};\nconst char* const ${NAME} = R\"gzdata(${text})gzdata\";\n}  // namespace gongzhi\n")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
