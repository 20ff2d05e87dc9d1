#pragma once
// C2SP signed notes (c2sp.org/signed-note), tlog checkpoints
// (c2sp.org/tlog-checkpoint) and tlog cosignatures (c2sp.org/tlog-cosignature),
// Ed25519 only.
//
// A note is UTF-8 text of lines ending in "\n", a blank line, then one or
// more signature lines "— <name> base64(key_id[4] || signature[64])". The key
// id is SHA-256(name || "\n" || type || public key)[:4], big endian; type is
// 0x01 for a signer of notes and 0x04 for a cosigner, whose signature is a
// u64 big-endian POSIX time followed by the signature over
//   "cosignature/v1\ntime <t>\n" || note text.
// These formats sign the text itself, without gridsync's context frame
// (crypto/sign.hpp): the note's first line (the log's origin) and the
// "cosignature/v1" header are their domain separation. No framed gridsync
// message begins with either, as a framed one starts with its context's
// length byte (< 0x40), so a key may sign both kinds safely.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gridsync/crypto/sign.hpp"
#include "gridsync/error.hpp"
#include "gridsync/tlog/merkle.hpp"

namespace gridsync::tlog {

enum class KeyType : std::uint8_t { note = 0x01, cosigner = 0x04 };

std::uint32_t key_id(std::string_view name, KeyType type, const crypto::PublicKey& key);

// A verifier key ("vkey"): <name>+<key id, 8 hex digits>+base64(type || key).
struct NoteVerifier {
    std::string name;
    KeyType type = KeyType::note;
    crypto::PublicKey key;
    std::uint32_t id() const { return key_id(name, type, key); }
    std::string vkey() const;
    static std::optional<NoteVerifier> parse(std::string_view vkey);
};

struct NoteSignature {
    std::string name;
    std::uint32_t key_id = 0;
    Bytes signature;           // after the key id: 64 bytes, or 8 + 64 for a cosignature
    std::string line() const;  // "— name base64\n"
};

struct Note {
    std::string text;  // every line, with its "\n", before the blank line
    std::vector<NoteSignature> signatures;
    std::string serialize() const;  // text, "\n", the signature lines
};

// Structure only: no signature is checked. Refuses (tlog::Errc::malformed_note)
// anything but text lines, one blank line and well-formed signature lines.
Result<Note> parse_note(std::string_view bytes);

// The note's text signed by `key` under `name` (a signature by another
// verifier of the same name and id is replaced).
NoteSignature sign_note(std::string_view text, std::string_view name,
                        const crypto::SigningKey& key);
// True when the note carries a signature by `verifier` that verifies.
bool verified_by(const Note& note, const NoteVerifier& verifier);

// Cosignatures: `time_s` is POSIX seconds.
NoteSignature cosign(std::string_view text, std::string_view name, const crypto::SigningKey& key,
                     std::uint64_t time_s);
// The time of a valid cosignature by `cosigner`, if the note has one.
std::optional<std::uint64_t> cosigned_by(const Note& note, const NoteVerifier& cosigner);

// A checkpoint's body: origin, decimal size, base64 root, then any
// extension lines.
struct Checkpoint {
    std::string origin;
    std::uint64_t size = 0;
    Hash root{};
    std::vector<std::string> extensions;  // without their "\n"
    std::string text() const;
    bool operator==(const Checkpoint&) const = default;
};
// Refuses (malformed_checkpoint) a size with a sign or leading zeros, a root
// that is not 32 bytes of base64, an empty origin.
Result<Checkpoint> parse_checkpoint(std::string_view text);

enum class Errc {
    malformed_note = 1,
    malformed_checkpoint = 2,
};
const std::error_category& category() noexcept;
inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), category()};
}

}  // namespace gridsync::tlog

template <>
struct std::is_error_code_enum<gridsync::tlog::Errc> : std::true_type {};
