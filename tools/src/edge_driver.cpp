#include "gridsync/tools/edge_driver.hpp"

#include <fstream>

#include "gridsync/domain/money.hpp"

namespace gridsync::tools {

ProcessResult EdgeDriver::run(std::vector<std::string> args, const std::string& input) const {
    return spawn(std::move(args), input)->wait();
}

std::unique_ptr<Process> EdgeDriver::spawn(std::vector<std::string> args,
                                           const std::string& input) const {
    args.insert(args.begin(),
                {"--data", data_.string(), "--passphrase-file", passphrase_file_.string()});
    return std::make_unique<Process>(binary_, args, input);
}

boost::json::object EdgeDriver::json(const ProcessResult& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out.substr(0, r.out.find('\n')), ec);
    if (ec || !v.is_object())
        return {{"ok", false}, {"unparsed", r.out}};
    return v.as_object();
}

int EdgeDriver::write_payment_sheet(const std::filesystem::path& out,
                                    const edge::DemoData& demo) const {
    std::ofstream sheet(out);
    auto d = db();
    auto q = d.prepare(R"(SELECT e.id, e.amount_fen, e.beneficiary_id, r.name
                          FROM entitlement e JOIN resident r ON r.id = e.beneficiary_id ORDER BY e.id)");
    int lines = 0;
    while (q.step()) {
        sheet << q.column<std::string>(0) << "," << domain::format_yuan(q.column<std::int64_t>(1))
              << "," << demo.id_number_of(q.column<std::string>(2)) << ","
              << q.column<std::string>(3) << "\n";
        ++lines;
    }
    return lines;
}

std::map<std::string, std::vector<std::pair<std::string, std::string>>>
EdgeDriver::certificate_piles() const {
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> piles;
    auto d = db();
    auto q = d.prepare(R"(SELECT g.leader_staff_id, c.print_code, c.resident_id
                          FROM certificate c JOIN resident r ON r.id = c.resident_id
                               JOIN household h ON h.id = r.household_id JOIN grid g ON g.id = h.grid_id
                          WHERE c.state = 'at_center' ORDER BY g.leader_staff_id, c.print_code)");
    while (q.step())
        piles[q.column<std::string>(0)].emplace_back(q.column<std::string>(1),
                                                     q.column<std::string>(2));
    return piles;
}

}  // namespace gridsync::tools
