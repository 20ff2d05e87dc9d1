#pragma once
// RFC 6962 / RFC 9162 Merkle trees: SHA-256, leaves hashed as
// SHA-256(0x00 || data), interior nodes as SHA-256(0x01 || left || right),
// the tree over n leaves split at the largest power of two below n. Proofs
// are made from the hashes of complete subtrees (a HashSource), so a store
// that keeps those (about two per leaf) answers any proof in O(log n) reads;
// verification needs nothing but the proof.
//
// A complete subtree is named (level, index): it covers the leaves
// [index * 2^level, (index + 1) * 2^level). Level 0 is the leaf hashes.
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "gridsync/bytes.hpp"

namespace gridsync::tlog {

using Hash = std::array<std::uint8_t, 32>;

Hash leaf_hash(ByteView data);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // SHA-256 of nothing: the root of the tree of size 0

class HashSource {
  public:
    virtual ~HashSource() = default;
    // The hash of a complete subtree of a tree that holds it. Throws when it
    // has none (a proof asked of a tree smaller than the request).
    virtual Hash complete(unsigned level, std::uint64_t index) = 0;
};

// MTH(D[begin:end]) for the subtrees proofs and roots are made of: begin a
// multiple of the largest power of two below end - begin.
Hash subtree_hash(HashSource& tree, std::uint64_t begin, std::uint64_t end);
Hash root(HashSource& tree, std::uint64_t size);

// RFC 6962 PATH(index, D[size]): the audit path of one leaf.
std::vector<Hash> inclusion_proof(HashSource& tree, std::uint64_t index, std::uint64_t size);
// RFC 6962 PROOF(old_size, D[size]); empty when old_size is 0 or size.
std::vector<Hash> consistency_proof(HashSource& tree, std::uint64_t old_size, std::uint64_t size);

// RFC 9162 2.1.3.2 and 2.1.4.2. False for any proof that does not prove it.
bool verify_inclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                      std::span<const Hash> proof, const Hash& root);
bool verify_consistency(std::uint64_t old_size, std::uint64_t size, const Hash& old_root,
                        const Hash& root, std::span<const Hash> proof);

// The hashes appending leaf `index` makes complete: the leaf itself at level
// 0, then each subtree it closes, bottom up. `tree` must hold the leaves
// before it. This is the whole of an append for a store of complete hashes.
struct CompletedHash {
    unsigned level = 0;
    std::uint64_t index = 0;
    Hash hash{};
};
std::vector<CompletedHash> hashes_completed(HashSource& tree, std::uint64_t index,
                                            const Hash& leaf);

// A tree kept in memory (the auditor's, tests', the bench's): every complete
// subtree hash, level by level.
class MemoryTree final : public HashSource {
  public:
    void append(const Hash& leaf);
    std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
    Hash root() { return tlog::root(*this, size()); }
    Hash complete(unsigned level, std::uint64_t index) override;

  private:
    std::vector<std::vector<Hash>> levels_;
};

}  // namespace gridsync::tlog
