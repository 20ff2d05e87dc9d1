#pragma once
// An error category whose messages come from a table: each module lists its
// codes and their (Chinese, then English) sentences once.
#include <initializer_list>
#include <map>
#include <string>
#include <system_error>
#include <utility>

namespace gridsync {

template <class Enum>
class TableCategory final : public std::error_category {
  public:
    TableCategory(const char* name, std::initializer_list<std::pair<Enum, const char*>> messages)
        : name_(name) {
        for (const auto& [code, text] : messages)
            messages_.emplace(static_cast<int>(code), text);
    }
    const char* name() const noexcept override { return name_; }
    std::string message(int ev) const override {
        auto it = messages_.find(ev);
        return it == messages_.end() ? std::string(name_) + " error " + std::to_string(ev)
                                     : it->second;
    }

  private:
    const char* name_;
    std::map<int, std::string> messages_;
};

}  // namespace gridsync
