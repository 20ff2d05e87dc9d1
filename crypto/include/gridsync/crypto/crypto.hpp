#pragma once
// Everything crypto/ offers, for callers that want it all.
#include "gridsync/crypto/aead.hpp"
#include "gridsync/crypto/errors.hpp"
#include "gridsync/crypto/hash.hpp"
#include "gridsync/crypto/kx.hpp"
#include "gridsync/crypto/sealed.hpp"
#include "gridsync/crypto/secure_buffer.hpp"
#include "gridsync/crypto/sign.hpp"
