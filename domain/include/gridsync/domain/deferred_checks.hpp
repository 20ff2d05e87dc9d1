#pragma once
// Staff signatures checked later, all at once, on every core.
//
// Central's second look verifies each staff signature of an entry it
// applies (verify_signed_row), one after another, under its one writer:
// most of a payment's cost there. While a DeferredSignatureChecks is alive
// on a thread, each such check on that thread is only noted (the keys the
// signer held on the recording device, read as usual, the context, the
// message, the signature) and counted as passing; all_verify() then runs
// them all on every core. A caller commits only if all verify; if any does
// not, it rolls back and does the same work again without deferring, so
// what it keeps is exactly what checking one at a time would have kept (an
// entry with a bad signature is then refused as it would have been).
#include <memory>
#include <vector>

#include "gridsync/bytes.hpp"
#include "gridsync/crypto/sign.hpp"

namespace gridsync::domain {

class DeferredSignatureChecks {
  public:
    DeferredSignatureChecks();  // in force on this thread until destroyed
    ~DeferredSignatureChecks();
    DeferredSignatureChecks(const DeferredSignatureChecks&) = delete;
    DeferredSignatureChecks& operator=(const DeferredSignatureChecks&) = delete;

    // Every check noted so far, on up to `threads` threads: true when each
    // verifies with one of its keys. The notes are then forgotten.
    bool all_verify(unsigned threads);
    std::size_t pending() const { return checks_.size(); }

    // The one in force on this thread, if any (refusal.cpp's verify_as).
    static DeferredSignatureChecks* current();
    void note(std::vector<crypto::PublicKey> keys, crypto::SigningContext context, Bytes message,
              const crypto::Signature& signature);

  private:
    struct Check {
        std::vector<crypto::PublicKey> keys;  // any of them may have signed
        crypto::SigningContext context;
        Bytes message;
        crypto::Signature signature;
    };
    std::vector<Check> checks_;
    DeferredSignatureChecks* outer_ = nullptr;
};

}  // namespace gridsync::domain
