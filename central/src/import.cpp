#include "gridsync/central/import.hpp"

#include <map>
#include <set>

#include "gridsync/crypto/hash.hpp"
#include "gridsync/domain/hlc.hpp"
#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/organisation.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/text_rules.hpp"
#include "gridsync/text.hpp"

namespace gridsync::central {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.pop_back();
    std::size_t b = 0;
    while (b < s.size() && (s[b] == ' ' || s[b] == '\t'))
        ++b;
    return s.substr(b);
}

}  // namespace

ImportReport import_residents(CentralStore& store, const AdminSigner& admin,
                              const crypto::SigningKey& central_key,
                              const crypto::SecureBuffer& id_key, std::string_view csv,
                              domain::EpochMs now) {
    ImportReport report;
    auto& db = store.db();
    struct Row {
        std::string grid_id, address, name, phone;
        Bytes digest;
        std::string last4;
    };
    std::vector<Row> rows;
    std::set<Bytes> digests_in_file;
    std::size_t pos = 0;
    for (int line_no = 1; pos <= csv.size(); ++line_no) {
        const std::size_t end = std::min(csv.find('\n', pos), csv.size());
        const std::string_view line = csv.substr(pos, end - pos);
        pos = end + 1;
        if (line_no == 1 || line.empty() || line == "\r")
            continue;  // the header, blank lines
        ++report.rows;
        auto problem = [&](int col, std::string msg) {
            report.problems.push_back({line_no, col, std::move(msg)});
        };
        auto f = split_csv_record(line);
        if (f.size() < 5) {
            problem(static_cast<int>(f.size()) + 1,
                    "缺少字段:应为 社区编号,网格,地址,姓名,身份证号码[,电话] / missing fields");
            continue;
        }
        bool bad_text = false;
        for (std::size_t c = 0; c < f.size(); ++c) {
            f[c] = trim(f[c]);
            if (!valid_utf8(f[c])) {
                problem(static_cast<int>(c) + 1, "不是有效的 UTF-8 文本 / not valid UTF-8 text");
                bad_text = true;
            }
        }
        if (bad_text)
            continue;
        Row r;
        const auto community =
            db.query_value<std::string>("SELECT id FROM community WHERE code = ?1", f[0]);
        if (!community) {
            problem(1, "社区编号不存在 / no community with code " + f[0]);
            continue;
        }
        // The grid by its number as people say it, or its full name.
        const auto grid = domain::find_grid(db, *community, f[1]);
        if (!grid) {
            problem(2, grid.failure().message);
        } else {
            r.grid_id = grid->id;
        }
        if (auto why = domain::address_problem(f[2]))
            problem(3, "地址" + *why);
        if (auto why = domain::name_problem(f[3]))
            problem(4, "姓名" + *why);
        auto id = domain::ResidentIdNumber::parse(f[4]);
        if (!id) {
            problem(5, id.failure().message);
        } else {
            r.digest = id->digest(id_key);
            r.last4 = id->last4();
            if (!digests_in_file.insert(r.digest).second)
                problem(5, "身份证号码在文件中重复 / the ID number appears twice in the file");
            if (db.query_value<int>("SELECT 1 FROM resident WHERE id_digest = ?1", r.digest)) {
                problem(5,
                        "该身份证号码的居民已存在 / a resident with this ID number already exists");
            }
        }
        // The clear number goes no further than this loop.
        f[4].assign(f[4].size(), '\0');
        r.address = f[2];
        r.name = f[3];
        r.phone = f.size() > 5 ? f[5] : "";
        rows.push_back(std::move(r));
    }
    if (!report.ok()) {
        store.audit(now, "admin:" + admin.login, "import.residents", "", "refused",
                    std::to_string(report.problems.size()) + " problems");
        return report;
    }
    store.record_central(central_key, now, [&](store::Database& w, const domain::Stamp& stamp) {
        const domain::Hlc hlc = stamp.hlc;
        std::map<std::pair<std::string, std::string>, std::string> households;
        for (const auto& r : rows) {
            auto key = std::pair{r.grid_id, r.address};
            auto it = households.find(key);
            if (it == households.end()) {
                auto existing = w.query_value<std::string>(
                    "SELECT id FROM household WHERE grid_id = ?1 AND address = ?2", r.grid_id,
                    r.address);
                if (!existing) {
                    existing = domain::new_id(now);
                    w.execute("INSERT INTO household VALUES (?1, ?2, ?3, 'central', ?4)", *existing,
                              r.grid_id, r.address, hlc.packed);
                    ++report.households_created;
                }
                it = households.emplace(key, *existing).first;
            }
            w.execute(
                R"(INSERT INTO resident(id, household_id, name, id_digest, id_last4, phone, origin_device, hlc)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'central', ?7))",
                domain::new_id(now), it->second, r.name, r.digest, r.last4,
                r.phone.empty() ? std::nullopt : std::optional<std::string>(r.phone), hlc.packed);
            ++report.residents_created;
        }
        store.record_admin_action(admin, "import.residents", "residents",
                                  std::to_string(report.residents_created) + " residents, " +
                                      std::to_string(report.households_created) +
                                      " households; CSV BLAKE2b " +
                                      to_hex(crypto::blake2b(as_bytes(csv))),
                                  now);
    });
    return report;
}

}  // namespace gridsync::central
