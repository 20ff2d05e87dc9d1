#include "gridsync/tlog/merkle.hpp"

#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

#include "gridsync/crypto/hash.hpp"

namespace gridsync::tlog {
namespace {

// The largest power of two strictly below n (n >= 2).
std::uint64_t split_of(std::uint64_t n) {
    return std::bit_floor(n - 1);
}

void path(HashSource& tree, std::uint64_t index, std::uint64_t begin, std::uint64_t end,
          std::vector<Hash>& out) {
    if (end - begin == 1)
        return;
    const std::uint64_t k = split_of(end - begin);
    if (index < begin + k) {
        path(tree, index, begin, begin + k, out);
        out.push_back(subtree_hash(tree, begin + k, end));
    } else {
        path(tree, index, begin + k, end, out);
        out.push_back(subtree_hash(tree, begin, begin + k));
    }
}

// RFC 6962 SUBPROOF(m, D[begin:end], b), m counted from begin.
void subproof(HashSource& tree, std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool whole,
              std::vector<Hash>& out) {
    const std::uint64_t n = end - begin;
    if (m == n) {
        if (!whole)
            out.push_back(subtree_hash(tree, begin, end));
        return;
    }
    const std::uint64_t k = split_of(n);
    if (m <= k) {
        subproof(tree, m, begin, begin + k, whole, out);
        out.push_back(subtree_hash(tree, begin + k, end));
    } else {
        subproof(tree, m - k, begin + k, end, false, out);
        out.push_back(subtree_hash(tree, begin, begin + k));
    }
}

bool lsb(std::uint64_t x) {
    return (x & 1) != 0;
}

}  // namespace

Hash leaf_hash(ByteView data) {
    crypto::Sha256 h;
    const std::uint8_t prefix = 0x00;
    h.update(ByteView(&prefix, 1));
    h.update(data);
    return h.finish();
}

Hash node_hash(const Hash& left, const Hash& right) {
    crypto::Sha256 h;
    const std::uint8_t prefix = 0x01;
    h.update(ByteView(&prefix, 1));
    h.update(left);
    h.update(right);
    return h.finish();
}

Hash empty_root() {
    return crypto::sha256({});
}

Hash subtree_hash(HashSource& tree, std::uint64_t begin, std::uint64_t end) {
    const std::uint64_t n = end - begin;
    if (n == 0)
        return empty_root();
    if (std::has_single_bit(n) && begin % n == 0)
        return tree.complete(static_cast<unsigned>(std::countr_zero(n)), begin / n);
    const std::uint64_t k = split_of(n);
    return node_hash(subtree_hash(tree, begin, begin + k), subtree_hash(tree, begin + k, end));
}

Hash root(HashSource& tree, std::uint64_t size) {
    return subtree_hash(tree, 0, size);
}

std::vector<Hash> inclusion_proof(HashSource& tree, std::uint64_t index, std::uint64_t size) {
    if (index >= size)
        throw std::out_of_range("inclusion proof of leaf " + std::to_string(index) +
                                " in a tree of " + std::to_string(size));
    std::vector<Hash> out;
    path(tree, index, 0, size, out);
    return out;
}

std::vector<Hash> consistency_proof(HashSource& tree, std::uint64_t old_size, std::uint64_t size) {
    if (old_size > size)
        throw std::out_of_range("consistency proof from " + std::to_string(old_size) + " to " +
                                std::to_string(size));
    std::vector<Hash> out;
    if (old_size == 0 || old_size == size)
        return out;
    subproof(tree, old_size, 0, size, true, out);
    return out;
}

bool verify_inclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                      std::span<const Hash> proof, const Hash& root) {
    if (index >= size)
        return false;
    std::uint64_t fn = index, sn = size - 1;
    Hash r = leaf;
    for (const Hash& p : proof) {
        if (sn == 0)
            return false;
        if (lsb(fn) || fn == sn) {
            r = node_hash(p, r);
            if (!lsb(fn)) {
                while (!lsb(fn) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t old_size, std::uint64_t size, const Hash& old_root,
                        const Hash& root, std::span<const Hash> proof) {
    if (old_size > size)
        return false;
    if (old_size == size)
        return proof.empty() && old_root == root;
    if (old_size == 0)
        return proof.empty();  // the empty tree is a prefix of every tree
    std::vector<Hash> path(proof.begin(), proof.end());
    if (std::has_single_bit(old_size))
        path.insert(path.begin(), old_root);
    if (path.empty())
        return false;
    std::uint64_t fn = old_size - 1, sn = size - 1;
    while (lsb(fn)) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = path[0], sr = path[0];
    for (std::size_t i = 1; i < path.size(); ++i) {
        const Hash& c = path[i];
        if (sn == 0)
            return false;
        if (lsb(fn) || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            if (!lsb(fn)) {
                while (!lsb(fn) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return fr == old_root && sr == root && sn == 0;
}

std::vector<CompletedHash> hashes_completed(HashSource& tree, std::uint64_t index,
                                            const Hash& leaf) {
    std::vector<CompletedHash> out{{0, index, leaf}};
    Hash h = leaf;
    std::uint64_t n = index;
    for (unsigned level = 0; lsb(n); ++level, n >>= 1) {
        h = node_hash(tree.complete(level, n - 1), h);
        out.push_back({level + 1, n >> 1, h});
    }
    return out;
}

void MemoryTree::append(const Hash& leaf) {
    for (const auto& c : hashes_completed(*this, size(), leaf)) {
        if (levels_.size() <= c.level)
            levels_.resize(c.level + 1);
        levels_[c.level].push_back(c.hash);
    }
}

Hash MemoryTree::complete(unsigned level, std::uint64_t index) {
    if (level >= levels_.size() || index >= levels_[level].size())
        throw std::out_of_range("no complete subtree at level " + std::to_string(level) +
                                ", index " + std::to_string(index));
    return levels_[level][index];
}

}  // namespace gridsync::tlog
