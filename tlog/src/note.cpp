#include "gridsync/tlog/note.hpp"

#include <charconv>
#include <cstring>

#include "gridsync/crypto/hash.hpp"
#include "gridsync/error_category.hpp"

namespace gridsync::tlog {
namespace {

constexpr std::string_view kDash = "\xe2\x80\x94 ";  // U+2014 EM DASH, then a space
constexpr std::string_view kCosignatureHeader = "cosignature/v1\ntime ";

Bytes cosigned_message(std::string_view text, std::uint64_t time_s) {
    const std::string m =
        std::string(kCosignatureHeader) + std::to_string(time_s) + "\n" + std::string(text);
    return to_bytes(m);
}

std::uint32_t read_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

void put_be(Bytes& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
    if (s.empty() || (s.size() > 1 && s[0] == '0'))
        return std::nullopt;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

bool valid_name(std::string_view name) {
    if (name.empty())
        return false;
    for (unsigned char c : name)
        if (c <= 0x20 || c == '+' || c == 0x7f)
            return false;
    return true;
}

NoteSignature make_signature(std::string_view name, std::uint32_t id, Bytes sig) {
    return {std::string(name), id, std::move(sig)};
}

}  // namespace

const std::error_category& category() noexcept {
    static const TableCategory<Errc> instance(
        "gridsync.tlog", {
                             {Errc::malformed_note, "签名记录格式错误 / malformed signed note"},
                             {Errc::malformed_checkpoint, "检查点格式错误 / malformed checkpoint"},
                         });
    return instance;
}

std::uint32_t key_id(std::string_view name, KeyType type, const crypto::PublicKey& key) {
    crypto::Sha256 h;
    h.update(as_bytes(name));
    const std::uint8_t sep[2] = {'\n', static_cast<std::uint8_t>(type)};
    h.update(ByteView(sep, 2));
    h.update(key.view());
    const auto d = h.finish();
    return read_be32(d.data());
}

std::string NoteVerifier::vkey() const {
    Bytes material{static_cast<std::uint8_t>(type)};
    material.insert(material.end(), key.bytes.begin(), key.bytes.end());
    char id_hex[9];
    std::snprintf(id_hex, sizeof id_hex, "%08x", id());
    return name + "+" + id_hex + "+" + crypto::to_base64(material);
}

std::optional<NoteVerifier> NoteVerifier::parse(std::string_view vkey) {
    const auto a = vkey.find('+');
    if (a == std::string_view::npos)
        return std::nullopt;
    const auto b = vkey.find('+', a + 1);
    if (b == std::string_view::npos || b - a - 1 != 8)
        return std::nullopt;
    const std::string_view name = vkey.substr(0, a);
    const auto id = from_hex(vkey.substr(a + 1, 8));
    const auto material = crypto::from_base64(vkey.substr(b + 1));
    if (!valid_name(name) || !id || !material || material->size() != 33)
        return std::nullopt;
    const std::uint8_t type = (*material)[0];
    if (type != static_cast<std::uint8_t>(KeyType::note) &&
        type != static_cast<std::uint8_t>(KeyType::cosigner))
        return std::nullopt;
    const auto key = crypto::PublicKey::from(ByteView(*material).subspan(1));
    NoteVerifier v{std::string(name), static_cast<KeyType>(type), *key};
    if (v.id() != read_be32(id->data()))
        return std::nullopt;
    return v;
}

std::string NoteSignature::line() const {
    Bytes blob;
    put_be(blob, key_id, 4);
    blob.insert(blob.end(), signature.begin(), signature.end());
    return std::string(kDash) + name + " " + crypto::to_base64(blob) + "\n";
}

std::string Note::serialize() const {
    std::string out = text + "\n";
    for (const auto& s : signatures)
        out += s.line();
    return out;
}

Result<Note> parse_note(std::string_view bytes) {
    auto bad = [](const std::string& why) {
        return fail(Errc::malformed_note, "签名记录格式错误 / malformed signed note: " + why);
    };
    if (bytes.size() > (1u << 20))
        return bad("longer than 1 MiB");
    if (bytes.empty() || bytes.back() != '\n')
        return bad("it does not end with a newline");
    const auto split = bytes.rfind("\n\n");
    if (split == std::string_view::npos)
        return bad("no blank line before the signatures");
    Note note;
    note.text = std::string(bytes.substr(0, split + 1));
    if (note.text.find('\0') != std::string::npos)
        return bad("a NUL byte in the text");
    std::string_view rest = bytes.substr(split + 2);
    if (rest.empty())
        return bad("no signature");
    while (!rest.empty()) {
        const auto eol = rest.find('\n');
        const std::string_view line = rest.substr(0, eol);
        rest.remove_prefix(eol + 1);
        if (line.substr(0, kDash.size()) != kDash)
            return bad("a signature line does not start with an em dash");
        const std::string_view body = line.substr(kDash.size());
        const auto space = body.find(' ');
        if (space == std::string_view::npos)
            return bad("a signature line has no signature");
        const std::string_view name = body.substr(0, space);
        const auto blob = crypto::from_base64(body.substr(space + 1));
        if (!valid_name(name) || !blob || blob->size() < 5)
            return bad("a signature line is not '— name base64'");
        note.signatures.push_back(
            make_signature(name, read_be32(blob->data()), Bytes(blob->begin() + 4, blob->end())));
    }
    if (note.signatures.size() > 100)
        return bad("more than 100 signatures");
    return note;
}

NoteSignature sign_note(std::string_view text, std::string_view name,
                        const crypto::SigningKey& key) {
    const auto sig = key.sign_raw(as_bytes(text));
    return make_signature(name, key_id(name, KeyType::note, key.public_key()),
                          Bytes(sig.bytes.begin(), sig.bytes.end()));
}

bool verified_by(const Note& note, const NoteVerifier& verifier) {
    if (verifier.type != KeyType::note)
        return false;
    const std::uint32_t id = verifier.id();
    for (const auto& s : note.signatures) {
        if (s.name != verifier.name || s.key_id != id)
            continue;
        const auto sig = crypto::Signature::from(s.signature);
        if (sig && crypto::verify_raw(verifier.key, as_bytes(note.text), *sig))
            return true;
    }
    return false;
}

NoteSignature cosign(std::string_view text, std::string_view name, const crypto::SigningKey& key,
                     std::uint64_t time_s) {
    const auto sig = key.sign_raw(cosigned_message(text, time_s));
    Bytes blob;
    put_be(blob, time_s, 8);
    blob.insert(blob.end(), sig.bytes.begin(), sig.bytes.end());
    return make_signature(name, key_id(name, KeyType::cosigner, key.public_key()), std::move(blob));
}

std::optional<std::uint64_t> cosigned_by(const Note& note, const NoteVerifier& cosigner) {
    if (cosigner.type != KeyType::cosigner)
        return std::nullopt;
    const std::uint32_t id = cosigner.id();
    for (const auto& s : note.signatures) {
        if (s.name != cosigner.name || s.key_id != id || s.signature.size() != 8 + 64)
            continue;
        std::uint64_t t = 0;
        for (int i = 0; i < 8; ++i)
            t = (t << 8) | s.signature[static_cast<std::size_t>(i)];
        if (t > static_cast<std::uint64_t>(INT64_MAX))
            continue;
        const auto sig = crypto::Signature::from(ByteView(s.signature).subspan(8));
        if (sig && crypto::verify_raw(cosigner.key, cosigned_message(note.text, t), *sig))
            return t;
    }
    return std::nullopt;
}

std::string Checkpoint::text() const {
    std::string out = origin + "\n" + std::to_string(size) + "\n" + crypto::to_base64(root) + "\n";
    for (const auto& e : extensions)
        out += e + "\n";
    return out;
}

Result<Checkpoint> parse_checkpoint(std::string_view text) {
    auto bad = [](const std::string& why) {
        return fail(Errc::malformed_checkpoint, "检查点格式错误 / malformed checkpoint: " + why);
    };
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        if (eol == std::string_view::npos)
            return bad("the last line has no newline");
        lines.push_back(text.substr(0, eol));
        text.remove_prefix(eol + 1);
    }
    if (lines.size() < 3)
        return bad("fewer than three lines");
    Checkpoint c;
    c.origin = std::string(lines[0]);
    if (c.origin.empty())
        return bad("no origin");
    const auto size = parse_decimal(lines[1]);
    if (!size)
        return bad("the size is not a decimal number");
    c.size = *size;
    const auto root = crypto::from_base64(lines[2]);
    if (!root || root->size() != c.root.size())
        return bad("the root hash is not 32 bytes of base64");
    std::memcpy(c.root.data(), root->data(), c.root.size());
    for (std::size_t i = 3; i < lines.size(); ++i) {
        if (lines[i].empty())
            return bad("an empty extension line");
        c.extensions.emplace_back(lines[i]);
    }
    return c;
}

}  // namespace gridsync::tlog
