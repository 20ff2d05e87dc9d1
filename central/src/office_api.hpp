#pragma once
// The admin API's routes for the offices' work (part of AdminApi, under
// /admin/api/, same session, CSRF and audit):
//
//   GET  imports                          the kinds of list, their columns
//   POST imports/KIND?encoding=&program=&name=   the file as the body -> what it did, or its
//   problems GET  templates/KIND.xlsx | KIND.csv   a blank template to fill in GET
//   approvals?state=waiting|approved|rejected|all POST approvals/ID/approve             a second
//   admin; carries unpaid over POST approvals/ID/reject              {"reason"} GET  scopes service
//   points, communities, grids GET  reports/KIND?month=&service_point=&community=&grid=&as_of= the
//   report as JSON GET  reports/KIND.xlsx | KIND.csv?...&table=N   the same as a file
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gridsync/central/admin.hpp"
#include "gridsync/central/parts.hpp"
#include "gridsync/central/router.hpp"

namespace gridsync::central {

struct OfficeCall {
    const HttpCall& call;
    const std::vector<std::string>& segments;
    const std::map<std::string, std::string>& query;
    const AdminSigner& admin;
    domain::EpochMs now;
    std::string& subject;  // for the audit line
};

// GET reports/...: reads `db` and nothing else, so a caller may hand it a
// reader (readers.hpp) and hold no lock. nullopt: not that route.
std::optional<HttpAnswer> office_report(store::Database& db, const OfficeCall& c);

// nullopt: not one of these routes.
std::optional<HttpAnswer> office_route(const CentralParts& parts, const CentralKeys& keys,
                                       const OfficeCall& c);

}  // namespace gridsync::central
