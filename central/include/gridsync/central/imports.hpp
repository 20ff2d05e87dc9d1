#pragma once
// The offices' lists into central (docs/IMPORTS.md): the organisation,
// staff, residents, proxies, aid programmes, the service catalogue, the
// working calendar, finished certificates, the 8+4 roster, disbursement days
// and each programme's entitlement list. One service under the command line
// and the admin console alike.
//
// Every import is all or nothing: the file is read (CSV in UTF-8 or
// GB18030, or the first sheet of an .xlsx), every row is checked, and each
// problem is reported by line, column and heading in Chinese and English;
// a file with any problem changes nothing. A good file is written in one
// transaction through central's signed log, so devices receive it at their
// next pull, and audited with the file's digest. Rows are matched by the
// codes people use, so importing the same file again changes nothing.
// An entitlement list is not written but staged: it reaches devices only
// after a second admin approves it (DayPlanner).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/central/parts.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/office/encoding.hpp"
#include "gridsync/office/table.hpp"

namespace gridsync::central {

enum class ImportKind {
    organisation,  // service points, communities, grids
    staff,         // people with their post; grid leaders take their grid
    residents,     // and their households
    proxies,       // registered proxies (代领人)
    programmes,    // aid programmes with their carry-over rule
    catalogue,     // the center's service items and time limits
    calendar,      // holidays and worked weekends
    certificates,  // finished at the center's windows
    roster,        // the 8+4 roster with A/B pairs
    days,          // disbursement days and who pays out
    entitlements,  // a programme's list for a month: staged for approval
};

// "staff", "residents", ... as on the command line; nullopt when unknown.
std::optional<ImportKind> import_kind_from(std::string_view name);
const char* to_string(ImportKind kind);
// "工作人员" and the like, for pages and messages.
const char* title_of(ImportKind kind);
const std::vector<ImportKind>& import_kinds();  // in the order a new subdistrict imports

struct ImportProblem {
    int line = 0;         // 1-based as the file shows it (the header is line 1)
    int column = 0;       // 1-based; 0 when the problem is the file or a missing column
    std::string heading;  // the column's heading, when known
    std::string message;  // Chinese, then English
};

struct ImportRequest {
    ImportKind kind = ImportKind::residents;
    ByteView file;
    office::Encoding encoding = office::Encoding::automatic;
    std::string file_name;  // for the audit trail
    std::string program;    // entitlements: the programme, when the file has no 项目 column
};

struct ImportOutcome {
    ImportKind kind = ImportKind::residents;
    std::string format;  // "csv utf-8", "csv gb18030", "xlsx"
    int rows = 0;
    int created = 0, updated = 0, unchanged = 0;
    std::vector<ImportProblem> problems;  // empty: imported (or staged)
    std::string approval_id;              // entitlements: what a second admin approves
    std::string file_digest;              // BLAKE2b-256 of the file, hex
    bool ok() const { return problems.empty(); }
};

class ImportService {
  public:
    ImportService(CentralLog& log, ApprovalQueue& approvals, AdminRegistry& admins,
                  const crypto::SigningKey& central_key, const crypto::SecureBuffer& id_key)
        : log_(log),
          approvals_(approvals),
          admins_(admins),
          central_key_(central_key),
          id_key_(id_key) {}

    // Signed by `admin` (record_admin_action) and audited, refused or not.
    ImportOutcome run(const AdminSigner& admin, const ImportRequest& request, domain::EpochMs now);

    // What an office fills in: the headings (notes on each, as comments in
    // the workbook) and an example row. Imported again as it is, the
    // example is a valid row once the codes it names exist.
    static office::Table template_for(ImportKind kind);

  private:
    CentralLog& log_;
    ApprovalQueue& approvals_;
    AdminRegistry& admins_;
    const crypto::SigningKey& central_key_;
    const crypto::SecureBuffer& id_key_;
};

// Shown to people: a problem as one line, "第 3 行第 2 列(网格):…".
std::string describe(const ImportProblem& p);

}  // namespace gridsync::central
