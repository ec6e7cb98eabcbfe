// CaseStore over the SQL client: reads on the shared pool, case writes through a WriteQueue.
#pragma once

#include <memory>

#include "app/case_store.h"
#include "store/sql.h"
#include "store/write_queue.h"

namespace gongzhi {

// `pool` must outlive the store; `writer` opens the group-commit connection.
std::unique_ptr<CaseStore> MakeSqlCaseStore(sql::Pool& pool, sql::Pool::Factory writer);

}  // namespace gongzhi
