#pragma once
// Central's refusals are the wire's (sync/refusals.hpp): one list, in the
// protocol layer, for central that sends them and the devices that act on
// them. Central's code names them Errc, as before.
#include "gridsync/sync/refusals.hpp"

namespace gridsync::central {

using Errc = sync::Refusal;
inline const std::error_category& category() noexcept {
    return sync::refusal_category();
}
using sync::make_error_code;

}  // namespace gridsync::central
