# Writes OUT, a C++ file holding the migration files of one backend as string literals.
# Usage: cmake -DOUT=file.cc -DNAME=kSqliteMigrations -DFILES=a.sql|b.sql -P embed_sql.cmake
set(body "// Generated from migrations/*.sql by cmake/embed_sql.cmake. Do not edit.\n#include \"store/migrations.h\"\nnamespace gongzhi::sql {\nconst std::vector<Migration> ${NAME} = {\n")
string(REPLACE "|" ";" FILES "${FILES}")
foreach(f IN LISTS FILES)
  get_filename_component(base "${f}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" version "${base}")
  string(REGEX REPLACE "^0+([0-9])" "\\1" version "${version}")  # 0008 is not an octal literal
  file(READ "${f}" sql)
  string(APPEND body "  {${version}, \"${base}\", R\"gzsql(${sql})gzsql\"},\n")
endforeach()
string(APPEND body "};\n}  // namespace gongzhi::sql\n")
file(WRITE "${OUT}.tmp" "${body}")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
