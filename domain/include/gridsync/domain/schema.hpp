#pragma once
// The replicated data model, shared by edge and central, and its migrations.
#include <span>
#include <string>
#include <vector>

#include "gridsync/store/migrate.hpp"

namespace gridsync::domain {

// Version history of the replicated schema (PRAGMA user_version):
//   1: communities, grids, staff, households, residents, certificates and
//      custody, deliveries, aid programs, entitlements, disbursement sessions,
//      payments, closings, roster and check-ins.
//   2: payment_void and recovery_task (an admin voids the duplicate of a
//      double payment). Tables only added: a version-1 changeset applies as is.
//   3: staff_key (a person's keys, one per device, enrolled with a one-time
//      code, revocable); disbursement_session gains both staff's signatures
//      of the opening; citizen_rating (群众评议); staff.public_key goes. An older changeset of the
//      tables that changed shape (staff, disbursement_session) no longer
//      decodes and is refused; every other table applies as is.
inline constexpr int kSchemaVersion = 3;
// The oldest schema whose changesets central still applies.
inline constexpr int kOldestAcceptedSchema = 1;

std::span<const store::Migration> migrations();

// Every table that replicates, parents before children: the order in which a
// changeset's tables must be applied so foreign keys hold.
const std::vector<std::string>& replicated_tables();

}  // namespace gridsync::domain
