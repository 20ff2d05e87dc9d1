#include "gridsync/store/columns.hpp"

namespace gridsync::store {

std::vector<std::string> column_names(Database& db, const std::string& table) {
    std::vector<std::string> names;
    auto st = db.prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid");
    st.bind(1, table);
    while (st.step())
        names.push_back(st.column<std::string>(0));
    return names;
}

}  // namespace gridsync::store
