#pragma once
// Disbursement days from plan to payout, at central: the lists staged by
// imports (ImportService, kind entitlements) are shown to a second admin,
// approved or turned down (maker is never checker), and on approval what
// was left unpaid at the community's earlier days moves to the approved day
// by its programme's rule (domain/day_plan.hpp), through the signed log.
#include <optional>
#include <string>
#include <vector>

#include "gridsync/central/parts.hpp"
#include "gridsync/domain/day_plan.hpp"

namespace gridsync::central {

struct ApprovalSummary {
    std::string id;
    std::string subject;
    std::string prepared_by_staff_id, prepared_by_name;
    domain::EpochMs prepared_at_ms = 0;
    std::string state;  // waiting | approved | rejected
    std::string decided_by_name;
    std::optional<domain::EpochMs> decided_at_ms;
    std::string reason;  // why turned down
    int entitlements = 0;
    domain::Fen total_fen = 0;
    struct Line {
        std::string community_code, local_date, program_code;
        int entitlements = 0;
        domain::Fen total_fen = 0;
    };
    std::vector<Line> lines;  // by community, day and programme
};

struct Approved {
    std::vector<std::string> day_ids;
    std::vector<domain::CarriedOver> carried;
};

class DayPlanner {
  public:
    DayPlanner(CentralLog& log, ApprovalQueue& approvals, AdminRegistry& admins,
               const crypto::SigningKey& central_key)
        : log_(log), approvals_(approvals), admins_(admins), central_key_(central_key) {}

    // state: waiting | approved | rejected | all.
    std::vector<ApprovalSummary> approvals(const std::string& state = "waiting");
    std::optional<ApprovalSummary> approval(const std::string& id);

    // A second admin approves: the list reaches devices at their next pull,
    // with what carries over into its days. Failure not_authorized (the
    // maker, decided already, unknown).
    Result<Approved> approve(const std::string& approval_id, const AdminSigner& approver,
                             domain::EpochMs now);
    Status reject(const std::string& approval_id, const AdminSigner& admin,
                  const std::string& reason, domain::EpochMs now);

    // Carries over into the community's day on `local_date` (a day with no
    // new list of its own). Signed, audited, through the log. Failure
    // bad_request when there is no such day.
    Result<std::vector<domain::CarriedOver>> carry_over(const std::string& community_code,
                                                        const std::string& local_date,
                                                        const AdminSigner& admin,
                                                        domain::EpochMs now);

  private:
    std::vector<domain::CarriedOver> carry_into(const std::vector<std::string>& day_ids,
                                                const AdminSigner& admin, domain::EpochMs now);
    CentralLog& log_;
    ApprovalQueue& approvals_;
    AdminRegistry& admins_;
    const crypto::SigningKey& central_key_;
};

}  // namespace gridsync::central
