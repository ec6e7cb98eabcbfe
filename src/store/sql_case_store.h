// CaseStore over the SQL client: reads on the shared pool, case writes through a WriteQueue.
#pragma once

#include <memory>

#include "app/case_store.h"
#include "app/personal_data.h"
#include "app/tracking_code.h"
#include "store/sql.h"
#include "store/write_queue.h"

namespace gongzhi {

// `pool` must outlive the store; `writer` opens the group-commit connection. With a `cipher`,
// reporter contacts are sealed on the way in and opened on the way out. `sole_writer`: this
// process performs every case write of the database (SQLite), so duplicate look-ups are answered
// from an index in memory that the writer keeps current. Cases inserted without a tracking code get
// the code `tracking_key` derives from their id (app/tracking_code.h).
std::unique_ptr<CaseStore> MakeSqlCaseStore(sql::Pool& pool, sql::Pool::Factory writer,
                                            std::shared_ptr<const ContactCipher> cipher,
                                            const TrackingKey& tracking_key, bool sole_writer);

}  // namespace gongzhi
