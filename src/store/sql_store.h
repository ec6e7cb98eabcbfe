// The Store port over sql::Pool: one implementation for SQLite and PostgreSQL.
#pragma once

#include <memory>
#include <string>

#include "app/personal_data.h"
#include "app/store.h"
#include "core/clock.h"
#include "store/migrations.h"
#include "store/sql.h"

namespace gongzhi {

// Opens the store named by `target`: a SQLite file path, or a PostgreSQL URI/conninfo when it
// starts with "postgresql://", "postgres://" or contains "host="/"dbname=". Applies migrations.
// `clock` must outlive the store. With a `cipher`, reporter contacts are sealed at rest; the
// database then refuses any other key (kConflict); rows written before the first key are sealed then.
// `reserved` connections beyond `pool_size` are kept for threads marked with
// sql::Pool::MarkThisThreadReserved (the server's I/O threads answering quick reads). `note`
// hears how the migration of an existing database goes (sql::Migrate).
Result<std::unique_ptr<Store>> OpenStore(const std::string& target, const Clock& clock, size_t pool_size = 16,
                                         std::shared_ptr<const ContactCipher> cipher = nullptr, size_t reserved = 0,
                                         const sql::MigrationNote& note = {});

// True when `target` names a PostgreSQL database rather than a SQLite file.
bool IsPostgresTarget(const std::string& target);

}  // namespace gongzhi
