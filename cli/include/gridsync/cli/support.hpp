#pragma once
// Plumbing shared by the gridsync command lines: arguments, secrets from the
// terminal or standard input, output as text or JSON, exit codes.
#include <boost/json.hpp>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/error.hpp"

namespace gridsync::cli {

// Exit codes, documented in --help.
enum Exit : int {
    ok = 0,
    usage = 1,
    refused = 2,        // a rule said no (domain errors)
    auth = 3,           // wrong PIN or passphrase, damaged key file
    storage = 4,        // disk, database, I/O
    chain_broken = 5,   // verify found a broken link, or a signature does not verify
    network = 6,        // central could not be reached: try again later
    serving_ended = 7,  // a server stopped serving without being asked to: restart it
};

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;
    std::set<std::string> flags;

    static Args parse(int argc, char** argv);
    bool has(const std::string& flag) const { return flags.count(flag) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    // Throws UsageError naming the missing option.
    std::string need(const std::string& name) const;
    // Throws UsageError naming any option or flag given that is not in
    // `allowed`: a mistyped option is refused, never silently ignored.
    void only(const std::set<std::string>& allowed) const;
    // --name as a whole number in [min, max], or `fallback` when absent;
    // UsageError for anything else ("12x", "", out of range).
    long long integer(const std::string& name, long long fallback, long long min,
                      long long max) const;
};

struct UsageError {
    std::string message;
};

// Reads secrets one line at a time: from the terminal without echo when
// stdin is one, otherwise from standard input (scripts). Never from argv.
class SecretReader {
  public:
    crypto::SecureBuffer read(const std::string& prompt);
    // A line that is not secret but must not be in argv either (an ID number).
    crypto::SecureBuffer read_sensitive(const std::string& prompt) { return read(prompt); }
};

// A passphrase from --passphrase-file, else $GRIDSYNC_PASSPHRASE_FILE, else
// the terminal or the first line of standard input.
crypto::SecureBuffer read_passphrase(const Args& args, SecretReader& secrets,
                                     const std::string& prompt);
// The same for any secret: --<file_option>, else $<env_name>, else the
// terminal or the next line of standard input.
crypto::SecureBuffer read_secret(const Args& args, SecretReader& secrets,
                                 const std::string& file_option, const char* env_name,
                                 const std::string& prompt);

class Output {
  public:
    explicit Output(bool json) : json_(json) {}
    bool json() const { return json_; }
    boost::json::object& data() { return data_; }
    void line(const std::string& text);  // shown only in text mode
    int finish(int code);
    int failure(const Failure& f);

  private:
    bool json_;
    boost::json::object data_;
    std::vector<std::string> lines_;
};

int exit_code_for(const std::error_code& code);

// The frame every gridsync program runs in: parses the arguments, answers
// --help (and a missing command) with `help`, runs
// `body(args, out, secrets, command)`, and turns whatever escapes it into a
// message and an exit code. Nothing escapes main.
template <class F>
int run_program(int argc, char** argv, const char* help, F&& body) {
    Args args;
    try {
        args = Args::parse(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << e.message << "\n";
        return Exit::usage;
    }
    Output out(args.has("json"));
    if (args.has("help") || args.positional.empty()) {
        std::cout << help;
        return args.has("help") ? Exit::ok : Exit::usage;
    }
    SecretReader secrets;
    try {
        return body(args, out, secrets, args.positional[0]);
    } catch (const UsageError& e) {
        std::cerr << "用法错误 usage: " << e.message << "\n";
        return Exit::usage;
    } catch (const Error& e) {
        return out.failure({e.code(), e.what()});
    } catch (const std::exception& e) {
        return out.failure({std::make_error_code(std::errc::io_error), e.what()});
    }
}

}  // namespace gridsync::cli
