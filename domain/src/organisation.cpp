#include "gridsync/domain/organisation.hpp"

#include <algorithm>

#include "gridsync/domain/errors.hpp"

namespace gridsync::domain {

namespace {

constexpr std::string_view kPrefix = "第";
constexpr std::string_view kSuffix = "网格";

// The digits of "第N网格" ending `text`, or of `text` itself when it is all digits.
std::optional<int> digits_of(std::string_view text) {
    if (text.ends_with(kSuffix)) {
        text.remove_suffix(kSuffix.size());
        const auto at = text.rfind(kPrefix);
        if (at == std::string_view::npos)
            return std::nullopt;
        text.remove_prefix(at + kPrefix.size());
    }
    if (text.empty() || text.size() > 6)
        return std::nullopt;
    int n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

}  // namespace

std::optional<int> grid_number(const std::string& grid_name) {
    if (!std::string_view(grid_name).ends_with(kSuffix))
        return std::nullopt;
    return digits_of(grid_name);
}

std::vector<GridRef> grids_of(store::Database& db, const std::string& community_id) {
    std::vector<GridRef> out;
    auto st = db.prepare("SELECT id, name, leader_staff_id FROM grid WHERE community_id = ?1");
    st.bind(1, community_id);
    while (st.step()) {
        GridRef g{st.column<std::string>(0), st.column<std::string>(1), std::nullopt,
                  st.column<std::optional<std::string>>(2)};
        g.number = grid_number(g.name);
        out.push_back(std::move(g));
    }
    std::sort(out.begin(), out.end(), [](const GridRef& a, const GridRef& b) {
        // Numbered grids first, by number; the others by name.
        if (a.number.has_value() != b.number.has_value())
            return a.number.has_value();
        if (a.number && *a.number != *b.number)
            return *a.number < *b.number;
        return a.name < b.name;
    });
    return out;
}

Result<GridRef> find_grid(store::Database& db, const std::string& community_id,
                          const std::string& text) {
    const auto grids = grids_of(db, community_id);
    for (const auto& g : grids) {
        if (g.name == text)
            return g;
    }
    if (const auto n = digits_of(text)) {
        std::vector<const GridRef*> hits;
        for (const auto& g : grids) {
            if (g.number == n)
                hits.push_back(&g);
        }
        if (hits.size() == 1)
            return *hits.front();
        if (hits.size() > 1) {
            return fail(Errc::bad_input, "有多个网格编号为 " + std::to_string(*n) +
                                             ",请写网格全名 / more than one grid is numbered " +
                                             std::to_string(*n) + ": give its full name");
        }
    }
    std::string known;
    for (const auto& g : grids)
        known += (known.empty() ? "" : "、") + g.name;
    return fail(Errc::not_found, "本社区没有网格“" + text + "” / no grid '" + text +
                                     "' in this community" +
                                     (known.empty() ? "" : ";现有 existing: " + known));
}

}  // namespace gridsync::domain
