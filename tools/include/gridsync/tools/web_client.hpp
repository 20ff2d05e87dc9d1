#pragma once
// A web page's side of gridsync's HTTP, for tests and the bench: JSON calls
// that keep the session cookie and send the CSRF token, as a browser does
// with the admin console and the field app. One connection per call.
#include <boost/json.hpp>
#include <string>

namespace gridsync::tools {

class WebClient {
  public:
    struct Answer {
        int status = 0;
        boost::json::value body;  // null when the body is not JSON
        std::size_t bytes = 0;
        std::string text;  // the body as it came
    };
    explicit WebClient(std::string address) : address_(std::move(address)) {}

    Answer call(const std::string& method, const std::string& target,
                const boost::json::value& body = nullptr);
    // The CSRF token later changes carry (from a login's or a sign-in's answer).
    void set_csrf(std::string csrf) { csrf_ = std::move(csrf); }
    // POST /admin/api/login: true when the admin is in.
    bool login(const std::string& login, const std::string& password);

  private:
    std::string address_;
    std::string cookie_;
    std::string csrf_;
};

}  // namespace gridsync::tools
