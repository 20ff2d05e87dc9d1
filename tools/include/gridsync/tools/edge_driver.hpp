#pragma once
// Drives a real gridsync-edge process the way a script would: for the demo
// and for the tests that run the shipped binary.
#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gridsync/edge/node.hpp"
#include "gridsync/process.hpp"
#include "gridsync/store/database.hpp"

namespace gridsync::tools {

class EdgeDriver {
  public:
    EdgeDriver(std::string binary, std::filesystem::path data,
               std::filesystem::path passphrase_file)
        : binary_(std::move(binary)),
          data_(std::move(data)),
          passphrase_file_(std::move(passphrase_file)) {}

    // gridsync-edge --data DATA --passphrase-file FILE args... < input
    ProcessResult run(std::vector<std::string> args, const std::string& input = "") const;
    // The same, started and left running: for a test that kills it mid-way.
    std::unique_ptr<Process> spawn(std::vector<std::string> args,
                                   const std::string& input = "") const;
    // The first line of a --json answer.
    static boost::json::object json(const ProcessResult& r);

    store::Database db() const { return store::Database::open(data_ / "node.db"); }
    const std::filesystem::path& data() const { return data_; }

    // The day's payment sheet as `pay --batch` reads it:
    // ENTITLEMENT,AMOUNT_YUAN,ID_NUMBER,NAME, with the fictional ID numbers
    // the demo residents present. Returns the number of lines.
    int write_payment_sheet(const std::filesystem::path& out, const edge::DemoData& demo) const;

    // Certificates waiting at the center, by the grid leader who will take
    // them: leader id -> (print code, resident id).
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> certificate_piles()
        const;

  private:
    std::string binary_;
    std::filesystem::path data_;
    std::filesystem::path passphrase_file_;
};

}  // namespace gridsync::tools
