#pragma once
// Where reference data starts: residents (and their households) imported
// from CSV at central, UTF-8, Chinese text as it is. ID numbers are checked
// (GB 11643) and turned into keyed digests on the way in; the clear number is
// never stored. An import is all or nothing: every bad cell is reported by
// line and column, and nothing of a failed import is kept.
#include <string>
#include <string_view>
#include <vector>

#include "gridsync/central/store.hpp"
#include "gridsync/crypto/secure_buffer.hpp"

namespace gridsync::central {

struct ImportProblem {
    int line = 0;    // 1-based, the header is line 1
    int column = 0;  // 1-based
    std::string message;
};

struct ImportReport {
    int rows = 0;
    int households_created = 0;
    int residents_created = 0;
    std::vector<ImportProblem> problems;  // empty: imported
    bool ok() const { return problems.empty(); }
};

// Columns: community_code, grid_name, address, name, id_number[, phone]
// (a header line first). Households are matched by grid and address, and
// created when new. The import enters the accepted log as central's entry.
ImportReport import_residents(CentralStore& store, const AdminSigner& admin,
                              const crypto::SigningKey& central_key,
                              const crypto::SecureBuffer& id_key, std::string_view csv,
                              domain::EpochMs now);

}  // namespace gridsync::central
