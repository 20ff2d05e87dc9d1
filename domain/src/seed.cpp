#include "gridsync/domain/seed.hpp"

#include <random>

#include "gridsync/domain/ids.hpp"
#include "gridsync/domain/reference.hpp"
#include "gridsync/domain/resident_id.hpp"
#include "gridsync/domain/staff_keys.hpp"

namespace gridsync::domain {

namespace {

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
                                     "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
                                     "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡"};
constexpr const char* kGiven[] = {
    "伟",   "芳",   "娜",   "秀英", "敏",   "静",   "丽",   "强", "磊", "军", "洋",   "勇",
    "艳",   "杰",   "娟",   "涛",   "明",   "超",   "秀兰", "霞", "平", "刚", "桂英", "建华",
    "建国", "玉兰", "志强", "春梅", "海燕", "晓东", "红",   "文", "斌", "宇", "欣怡", "子涵"};

// The ten communities (fictional, named after streets of the area).
constexpr const char* kCommunities[] = {"民生路社区",   "自力巷社区", "青年路社区", "五一路社区",
                                        "八一路社区",   "邹容路社区", "中华路社区", "新华路社区",
                                        "临江支路社区", "较场口社区"};

struct Rng {
    std::mt19937_64 gen;
    int below(int n) { return static_cast<int>(gen() % static_cast<std::uint64_t>(n)); }
    std::string name() {
        return std::string(kSurnames[below(std::size(kSurnames))]) +
               kGiven[below(std::size(kGiven))];
    }
};

}  // namespace

std::string fictional_id_number(int year, int month, int day, int sequence) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "500103%04d%02d%02d%03d", year % 10000, month % 100, day % 100,
                  sequence % 1000);
    const std::string first17(buf, 17);
    return first17 + ResidentIdNumber::check_character(first17);
}

SeedReport seed_subdistrict(
    store::Database& db, const Stamp& stamp, const SeedOptions& o,
    const crypto::SecureBuffer& id_key,
    const std::function<std::optional<crypto::PublicKey>(const SeededStaff&)>& public_key_for) {
    Rng rng{std::mt19937_64(o.rng_seed)};
    SeedReport report;
    const auto dev = stamp.device_id;
    const auto hlc = stamp.hlc.packed;
    auto id = [&] { return new_id(stamp.now_ms); };

    std::vector<std::pair<std::string, crypto::PublicKey>> keys;
    auto add_staff = [&](SeededStaff s, const std::optional<std::string>& service_point,
                         const std::string& number) {
        s.staff_number = number;
        s.id = put_staff(db, stamp,
                         {number, s.name, s.role,
                          s.community_id.empty() ? std::nullopt
                                                 : std::optional<std::string>(s.community_id),
                          service_point, std::nullopt, true})
                   .id;
        if (public_key_for && !o.staff_key_device.empty()) {
            if (const auto pk = public_key_for(s))
                keys.emplace_back(s.id, *pk);
        }
        report.staff.push_back(s);
        return s.id;
    };
    auto numbered = [](const std::string& prefix, int n) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%02d", n);
        return prefix + buf;
    };

    struct Point {
        const char* code;
        const char* name;
        int staff;
    };
    const Point points[] = {{"MSL", "民生路办事点", 8}, {"ZLX", "自力巷办事点", 11}};
    for (const auto& p : points) {
        const std::string sp = put_service_point(db, stamp, {p.code, p.name}).id;
        report.service_point_ids.push_back(sp);
        for (int i = 0; i < p.staff; ++i)
            add_staff({"", rng.name(), "service_point_staff", "", ""}, sp, numbered(p.code, i + 1));
    }
    add_staff({"", rng.name(), "admin", "", ""}, std::nullopt, "ADM01");
    add_staff({"", rng.name(), "admin", "", ""}, std::nullopt, "ADM02");

    for (const auto& t : default_catalogue())
        put_service_type(db, stamp, t);
    const ProgramInput programs[] = {{"dibao", "最低生活保障金(低保)", "carry_over"},
                                     {"tekun", "特困人员供养金", "carry_over"},
                                     {"canji", "残疾人补贴", "lapse"},
                                     {"gaoling", "高龄津贴", "carry_over"}};
    for (const auto& p : programs)
        put_program(db, stamp, p);
    int person = 0;
    for (std::size_t c = 0; c < std::size(kCommunities); ++c) {
        char code[32];
        std::snprintf(code, sizeof code, "C%02zu", c + 1);
        const std::string cid =
            put_community(db, stamp,
                          {code, kCommunities[c], report.service_point_ids[c % 2], std::nullopt,
                           std::nullopt})
                .id;
        report.communities.emplace_back(cid, kCommunities[c]);
        for (int w = 0; w < o.community_workers; ++w)
            add_staff({"", rng.name(), "community_worker", cid, ""}, std::nullopt,
                      numbered(std::string(code) + "-W", w + 1));
        for (int g = 0; g < o.grids_per_community; ++g) {
            const std::string gid =
                put_grid(db, stamp, cid,
                         std::string(kCommunities[c]) + "第" + std::to_string(g + 1) + "网格")
                    .id;
            const std::string leader =
                add_staff({"", rng.name(), "grid_leader", cid, gid}, std::nullopt,
                          numbered(std::string(code) + "-G", g + 1));
            set_grid_leader(db, stamp, gid, leader);
            for (int h = 0; h < o.households_per_grid; ++h) {
                const std::string hid = id();
                const std::string address =
                    std::to_string(g + 1) + "栋" + std::to_string(h % 4 + 1) + "单元" +
                    std::to_string((h / 4) % 30 + 1) + std::string("0") + std::to_string(h % 4 + 1);
                db.execute("INSERT INTO household VALUES (?1, ?2, ?3, ?4, ?5)", hid, gid,
                           std::string(kCommunities[c]) + address, dev, hlc);
                for (int r = 0; r < o.residents_per_household; ++r) {
                    ++person;
                    const int year = 1930 + rng.below(80);
                    const std::string number =
                        fictional_id_number(year, 1 + rng.below(12), 1 + rng.below(28), person);
                    auto parsed = ResidentIdNumber::parse(number);
                    const std::string rid = id();
                    const std::string name = rng.name();
                    db.execute(
                        R"(INSERT INTO resident(id, household_id, name, id_digest, id_last4, phone, origin_device, hlc)
                                  VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6, ?7))",
                        rid, hid, name, parsed->digest(id_key), parsed->last4(), dev, hlc);
                    report.residents.push_back({rid, name, number, hid, gid, cid});
                }
            }
        }
    }
    for (const auto& [staff_id, pk] : keys)
        register_key_by_central(db, stamp, staff_id, o.staff_key_device, pk);
    return report;
}

std::string seed_disbursement_day(store::Database& db, const Stamp& stamp,
                                  const DisbursementDaySeed& in, std::uint64_t rng_seed) {
    Rng rng{std::mt19937_64(rng_seed)};
    const std::string day = new_id(stamp.now_ms);
    db.execute(
        R"(INSERT INTO disbursement_day(id, community_id, local_date, prepared_by_staff_id, approved_by_staff_id,
                      origin_device, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7))",
        day, in.community_id, in.local_date, in.prepared_by_staff_id,
        in.approved_by_staff_id.empty() ? std::nullopt
                                        : std::optional<std::string>(in.approved_by_staff_id),
        stamp.device_id, stamp.hlc.packed);
    for (const auto& s : in.rostered_staff_ids) {
        db.execute("INSERT INTO disbursement_roster VALUES (?1, ?2, ?3, ?4, ?5)",
                   new_id(stamp.now_ms), day, s, stamp.device_id, stamp.hlc.packed);
    }
    // Amounts per program, in fen: 低保 700 元, 特困 910 元, 残疾人补贴 100 元, 高龄津贴 100 元.
    const std::pair<const char*, Fen> amounts[] = {
        {"dibao", 70000}, {"tekun", 91000}, {"canji", 10000}, {"gaoling", 10000}};
    auto residents = db.prepare(R"(
        SELECT r.id FROM resident r JOIN household h ON h.id = r.household_id JOIN grid g ON g.id = h.grid_id
        WHERE g.community_id = ?1 ORDER BY r.id)");
    residents.bind(1, in.community_id);
    std::vector<std::string> ids;
    while (residents.step())
        ids.push_back(residents.column<std::string>(0));
    const std::string period = in.local_date.substr(0, 7);
    int made = 0;
    for (std::size_t i = 0; i < ids.size() && made < in.entitlements; ++i) {
        const auto& [program, fen] = amounts[static_cast<std::size_t>(rng.below(4))];
        db.execute(
            R"(INSERT INTO entitlement(id, disbursement_day_id, beneficiary_id, program_id, period, amount_fen,
                          session_id, origin_device, hlc)
                      SELECT ?1, ?2, ?3, id, ?4, ?5, NULL, ?6, ?7 FROM aid_program WHERE code = ?8)",
            new_id(stamp.now_ms), day, ids[i], period, fen, stamp.device_id, stamp.hlc.packed,
            program);
        ++made;
    }
    return day;
}

}  // namespace gridsync::domain
