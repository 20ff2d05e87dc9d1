#include "gridsync/edge/errors.hpp"

#include "gridsync/error_category.hpp"

namespace gridsync::edge {

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.edge",
        {
            {Errc::bad_request, "请求格式错误 / bad request"},
            {Errc::not_signed_in, "请先登录 / please sign in"},
            {Errc::csrf_failed, "请刷新页面后重试 / reload the page and try again"},
            {Errc::not_found, "没有这个页面 / no such page"},
        });
    return instance;
}

}  // namespace gridsync::edge
