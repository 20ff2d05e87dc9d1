// The Merkle tree against the RFC 6962 test vectors (the eight leaves and
// roots of the Certificate Transparency and Go tlog test suites, with their
// inclusion and consistency proofs), then against a tree built by the RFC's
// recursive definition for every size and index up to 70.
#include "gridsync/tlog/merkle.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "gridsync/bytes.hpp"

namespace gridsync::tlog {
namespace {

Hash h(std::string_view hex) {
    const auto b = from_hex(hex);
    Hash out{};
    EXPECT_TRUE(b && b->size() == 32) << hex;
    if (b && b->size() == 32)
        std::copy(b->begin(), b->end(), out.begin());
    return out;
}

const char* kLeaves[] = {"",
                         "00",
                         "10",
                         "2021",
                         "3031",
                         "40414243",
                         "5051525354555657",
                         "606162636465666768696a6b6c6d6e6f"};
const char* kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MemoryTree vector_tree(std::size_t n = 8) {
    MemoryTree t;
    for (std::size_t i = 0; i < n; ++i)
        t.append(leaf_hash(*from_hex(kLeaves[i])));
    return t;
}

TEST(Merkle, HashesOfTheRfc) {
    EXPECT_EQ(to_hex(empty_root()),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(leaf_hash(to_bytes("L123456"))),
              "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
    // The root of two leaves is their node: the second published root.
    const Hash a = leaf_hash(*from_hex(kLeaves[0])), b = leaf_hash(*from_hex(kLeaves[1]));
    EXPECT_EQ(to_hex(node_hash(a, b)), kRoots[1]);
    EXPECT_NE(node_hash(a, b), node_hash(b, a));
}

TEST(Merkle, RootsOfTheEightVectorLeaves) {
    MemoryTree t;
    EXPECT_EQ(t.root(), empty_root());
    for (std::size_t i = 0; i < 8; ++i) {
        t.append(leaf_hash(*from_hex(kLeaves[i])));
        EXPECT_EQ(to_hex(t.root()), kRoots[i]) << "size " << i + 1;
    }
    for (std::size_t n = 1; n <= 8; ++n)
        EXPECT_EQ(to_hex(root(t, n)), kRoots[n - 1]) << "root at size " << n << " of 8";
}

TEST(Merkle, PublishedInclusionProofs) {
    MemoryTree t = vector_tree();
    const std::vector<Hash> proof = {
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
    const Hash leaf5 = leaf_hash(*from_hex(kLeaves[5]));
    EXPECT_EQ(inclusion_proof(t, 5, 8), proof);
    EXPECT_TRUE(verify_inclusion(leaf5, 5, 8, proof, h(kRoots[7])));
    EXPECT_FALSE(verify_inclusion(leaf5, 4, 8, proof, h(kRoots[7])));
    EXPECT_FALSE(verify_inclusion(leaf5, 5, 6, proof, h(kRoots[7])));
    EXPECT_FALSE(verify_inclusion(leaf5, 5, 8, proof, h(kRoots[6])));
    const std::vector<Hash> short_proof = {h(kRoots[1])};
    EXPECT_EQ(inclusion_proof(t, 2, 3), short_proof);
    EXPECT_TRUE(
        verify_inclusion(leaf_hash(*from_hex(kLeaves[2])), 2, 3, short_proof, h(kRoots[2])));
    // The only leaf of a tree of one: an empty proof, the leaf is the root.
    EXPECT_TRUE(inclusion_proof(t, 0, 1).empty());
    EXPECT_TRUE(verify_inclusion(h(kRoots[0]), 0, 1, {}, h(kRoots[0])));
}

TEST(Merkle, PublishedConsistencyProofs) {
    MemoryTree t = vector_tree();
    const std::vector<Hash> proof = {
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
    EXPECT_EQ(consistency_proof(t, 6, 8), proof);
    EXPECT_TRUE(verify_consistency(6, 8, h(kRoots[5]), h(kRoots[7]), proof));
    EXPECT_FALSE(verify_consistency(6, 8, h(kRoots[4]), h(kRoots[7]), proof));
    EXPECT_FALSE(verify_consistency(5, 8, h(kRoots[5]), h(kRoots[7]), proof));
    const std::vector<Hash> two_to_five = {
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")};
    EXPECT_EQ(consistency_proof(t, 2, 5), two_to_five);
    EXPECT_TRUE(verify_consistency(2, 5, h(kRoots[1]), h(kRoots[4]), two_to_five));
    // Equal sizes: consistent only with an empty proof and the same root.
    EXPECT_TRUE(verify_consistency(8, 8, h(kRoots[7]), h(kRoots[7]), {}));
    EXPECT_FALSE(verify_consistency(8, 8, h(kRoots[6]), h(kRoots[7]), {}));
    EXPECT_FALSE(verify_consistency(8, 6, h(kRoots[7]), h(kRoots[5]), proof));
}

// The RFC's definitions, written out directly over the leaf data.
Hash mth(const std::vector<Bytes>& d, std::size_t b, std::size_t e) {
    if (e - b == 1)
        return leaf_hash(d[b]);
    std::size_t k = 1;
    while (k * 2 < e - b)
        k *= 2;
    return node_hash(mth(d, b, b + k), mth(d, b + k, e));
}

TEST(Merkle, EveryProofUpToSeventyLeavesAgreesWithTheDefinition) {
    std::vector<Bytes> data;
    MemoryTree t;
    for (std::size_t i = 0; i < 70; ++i) {
        data.push_back(to_bytes("leaf " + std::to_string(i)));
        t.append(leaf_hash(data.back()));
    }
    for (std::uint64_t n = 1; n <= 70; ++n) {
        const Hash r = mth(data, 0, n);
        ASSERT_EQ(root(t, n), r) << n;
        for (std::uint64_t i = 0; i < n; ++i) {
            const auto p = inclusion_proof(t, i, n);
            ASSERT_TRUE(verify_inclusion(leaf_hash(data[i]), i, n, p, r)) << i << " of " << n;
            if (n > 1) {
                ASSERT_FALSE(verify_inclusion(leaf_hash(data[(i + 1) % n]), i, n, p, r));
            }
        }
        for (std::uint64_t m = 1; m <= n; ++m) {
            const auto p = consistency_proof(t, m, n);
            ASSERT_TRUE(verify_consistency(m, n, mth(data, 0, m), r, p)) << m << " to " << n;
            if (m < n) {
                Hash wrong = mth(data, 0, m);
                wrong[0] ^= 1;
                ASSERT_FALSE(verify_consistency(m, n, wrong, r, p)) << m << " to " << n;
                if (!p.empty()) {
                    auto cut = p;
                    cut.pop_back();
                    ASSERT_FALSE(verify_consistency(m, n, mth(data, 0, m), r, cut));
                }
            }
        }
    }
}

TEST(Merkle, AProofOfALeafBeyondTheTreeIsRefused) {
    MemoryTree t = vector_tree(3);
    EXPECT_THROW(inclusion_proof(t, 3, 3), std::out_of_range);
    EXPECT_THROW(consistency_proof(t, 4, 3), std::out_of_range);
    EXPECT_THROW(root(t, 4), std::out_of_range);
    EXPECT_FALSE(verify_inclusion(h(kRoots[0]), 3, 3, {}, h(kRoots[2])));
}

}  // namespace
}  // namespace gridsync::tlog
