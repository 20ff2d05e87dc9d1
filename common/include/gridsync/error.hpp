#pragma once
// The two error shapes of gridsync (docs/ARCHITECTURE.md, "Errors"):
//  - gridsync::Error, thrown when an operation cannot go on (a fault of the
//    environment or a bug: disk full, corrupt file, misuse of an API);
//  - gridsync::Result<T>, returned where failing is an expected answer that the
//    caller must look at (a wrong PIN, a signature that does not verify, a
//    domain rule that refuses a payment).
// Both carry a std::error_code (machine-readable, stable across modules and on
// the wire) and a human sentence.
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace gridsync {

class Error : public std::system_error {
  public:
    Error(std::error_code code, const std::string& message) : std::system_error(code, message) {}
};

// What went wrong, as a value.
struct Failure {
    std::error_code code;
    std::string message;
};

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    Result(Failure failure) : state_(std::move(failure)) {}  // NOLINT

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    // Throws gridsync::Error when the result is a failure: for callers that
    // treat this failure as fatal.
    T& value() & {
        throw_if_failed();
        return std::get<0>(state_);
    }
    T&& value() && {
        throw_if_failed();
        return std::get<0>(std::move(state_));
    }
    const T& value() const& {
        throw_if_failed();
        return std::get<0>(state_);
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Failure& failure() const { return std::get<1>(state_); }
    std::error_code code() const { return ok() ? std::error_code{} : failure().code; }

  private:
    void throw_if_failed() const {
        if (!ok())
            throw Error(failure().code, failure().message);
    }
    std::variant<T, Failure> state_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Failure failure) : failure_(std::move(failure)), ok_(false) {}  // NOLINT

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const {
        if (!ok_)
            throw Error(failure_.code, failure_.message);
    }
    const Failure& failure() const { return failure_; }
    std::error_code code() const { return ok_ ? std::error_code{} : failure_.code; }

  private:
    Failure failure_{};
    bool ok_ = true;
};

using Status = Result<void>;

inline Failure fail(std::error_code code, std::string message) {
    return Failure{code, std::move(message)};
}

}  // namespace gridsync
