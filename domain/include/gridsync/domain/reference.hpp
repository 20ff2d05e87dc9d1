#pragma once
// Reference data as central keeps it from the offices' files: each put_*
// creates a row, updates the columns that differ, or leaves it alone, and
// says which, so importing the same file twice changes nothing (and writes
// no log entry). Keys are what people use: codes for service points,
// communities and programmes, the staff number (工号), a grid's name within
// its community, the keyed digest of an ID number. Called by central inside
// its capturing transaction (CentralStore::record_central); the demo seed
// uses them too.
#include <optional>
#include <string>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/domain/write.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::domain {

enum class Change { created, updated, unchanged };

struct Put {
    std::string id;
    Change change = Change::unchanged;
};

struct ServicePointInput {
    std::string code;
    std::string name;
};
Put put_service_point(store::Database& db, const Stamp& stamp, const ServicePointInput& in);

struct CommunityInput {
    std::string code;
    std::string name;
    std::string service_point_id;
    std::optional<int> opens_at_minute, closes_at_minute;  // nullopt: keep (09:00-17:00 when new)
};
Put put_community(store::Database& db, const Stamp& stamp, const CommunityInput& in);

// By its name within the community.
Put put_grid(store::Database& db, const Stamp& stamp, const std::string& community_id,
             const std::string& name);

struct StaffInput {
    std::string staff_number;
    std::string name;
    std::string role;  // grid_leader | service_point_staff | community_worker | admin
    std::optional<std::string> community_id;
    std::optional<std::string> service_point_id;
    std::optional<std::string> phone;
    bool active = true;
};
Put put_staff(store::Database& db, const Stamp& stamp, const StaffInput& in);

// Makes `staff_id` the grid's leader (网格负责人).
Change set_grid_leader(store::Database& db, const Stamp& stamp, const std::string& grid_id,
                       const std::string& staff_id);

struct ResidentInput {
    std::string grid_id;
    std::string address;
    std::string name;
    Bytes id_digest;
    std::string id_last4;
    std::optional<std::string> phone;  // nullopt: keep what is known
};
struct PutResident {
    Put resident;
    bool household_created = false;
};
// By ID digest; the household by grid and address, created when new. A
// resident whose household changes moves to the new one.
PutResident put_resident(store::Database& db, const Stamp& stamp, const ResidentInput& in);

struct ProxyInput {
    std::string resident_id;
    std::string proxy_name;
    std::string relation;  // spouse | child | parent | other
    Bytes proxy_id_digest;
    std::string proxy_id_last4;
};
// By resident and the proxy's ID digest.
Put put_proxy(store::Database& db, const Stamp& stamp, const ProxyInput& in);

struct ProgramInput {
    std::string code;
    std::string name;
    std::string unpaid_rule;  // carry_over | lapse
};
Put put_program(store::Database& db, const Stamp& stamp, const ProgramInput& in);

struct ServiceType {
    std::string code;
    std::string name;
    std::string category;
    int due_working_days = 1;           // 限时办结, in working days (calendar.hpp)
    std::string handling = "promised";  // immediate 立即办 | promised 承诺办 | forwarded 报送办
    bool active = true;
};
Put put_service_type(store::Database& db, const Stamp& stamp, const ServiceType& in);
std::vector<ServiceType> service_types(store::Database& db);

// The center's catalogue as the subdistrict publishes it: 7 categories, 58
// items, each with its time limit. Fictional in detail (codes, limits), it is
// what `init` loads; an admin edits it by importing a catalogue file.
const std::vector<ServiceType>& default_catalogue();

struct CalendarDayInput {
    std::string local_date;  // YYYY-MM-DD
    std::string kind;        // holiday | workday
    std::string name;
};
Put put_calendar_day(store::Database& db, const Stamp& stamp, const CalendarDayInput& in);

struct RosterShiftInput {
    std::string community_id;
    std::string local_date;
    std::string kind;  // normal | early | late
    std::string staff_id;
    std::optional<std::string> backup_staff_id;  // AB角: the B who covers
};
// By community, date, kind and person; times from the community's hours.
Put put_roster_shift(store::Database& db, const Stamp& stamp, const RosterShiftInput& in);

struct DisbursementDayInput {
    std::string community_id;
    std::string local_date;
    std::string prepared_by_staff_id;    // the admin who plans it
    std::vector<std::string> staff_ids;  // who pays out that day (disbursement_roster)
};
// By community and date; people are added to its roster, never removed by
// a later file (someone may have paid already).
Put put_disbursement_day(store::Database& db, const Stamp& stamp, const DisbursementDayInput& in);

// Words people write for codes: 正常班/早班/晚班, 配偶/子女/父母/其他, 结转/作废,
// 休息日/上班, 立即办/承诺办/报送办, the posts; the code itself also passes.
// nullopt when not one of them.
std::optional<std::string> role_code(const std::string& word);
std::optional<std::string> shift_kind_code(const std::string& word);
std::optional<std::string> relation_code(const std::string& word);
std::optional<std::string> unpaid_rule_code(const std::string& word);
std::optional<std::string> calendar_kind_code(const std::string& word);
std::optional<std::string> handling_code(const std::string& word);
// 是/否, yes/no, 1/0, true/false.
std::optional<bool> yes_no(const std::string& word);

}  // namespace gridsync::domain
