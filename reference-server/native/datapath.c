/*
 * Parley's native SFU datapath: SRTP protection with cipher contexts that live as long as the
 * DTLS session (Node's crypto API builds a new cipher per packet and cannot re-key a GCM context's IV),
 * UDP sends batched per event-loop turn with sendmmsg(2), and a shared port's datagrams read in batches
 * with recvmmsg(2) and handed to JavaScript once per batch.
 *
 * Everything else stays in JavaScript (werift: ICE, DTLS, RTCP, NACK/RTX; the engine: routing,
 * simulcast, rewriting): this module only does what costs the forwarding path per packet in a way
 * JavaScript cannot avoid. The crypto uses the OpenSSL that Node itself is linked with (its symbols are
 * resolved from the node binary at load time), so the ciphers are the same code Node's crypto runs.
 *
 * SRTP (RFC 3711, RFC 7714) profiles, numbered as werift and RFC 5764 number them:
 *   1 = SRTP_AES128_CM_HMAC_SHA1_80, 7 = SRTP_AEAD_AES_128_GCM.
 * The session keys are derived by werift; they are passed in, never derived here.
 */
#define _GNU_SOURCE /* sendmmsg */
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#define PROFILE_AES_CM_HMAC_SHA1_80 1
#define PROFILE_AEAD_AES_128_GCM 7
#define GCM_TAG_LENGTH 16
#define HMAC_TAG_LENGTH 10
#define SHA1_LENGTH 20
#define MAX_PADDING 255

/* The send queue: packets of one event-loop turn, flushed together (see flush()). */
#define QUEUE_SLOTS 64
#define SLOT_BYTES 2048

typedef struct {
  int profile;
  unsigned char salt[14];
  EVP_CIPHER_CTX *encrypt;
  EVP_CIPHER_CTX *decrypt;
  EVP_MAC_CTX *mac; /* AES-CM only */
} srtp_context;

typedef struct {
  int fd; /* a dup() of the socket's descriptor: valid until close, whatever Node does with its own */
} udp_sender;

typedef struct {
  struct sockaddr_storage address;
  socklen_t length;
} destination;

typedef struct {
  unsigned char data[QUEUE_SLOTS][SLOT_BYTES];
  struct mmsghdr messages[QUEUE_SLOTS];
  struct iovec vectors[QUEUE_SLOTS];
  struct sockaddr_storage addresses[QUEUE_SLOTS];
  int fds[QUEUE_SLOTS];
  int count;
  double sent_packets;
  double dropped_packets;
  double send_calls;
  double unprotected_packets; /* incoming packets decrypted and authenticated */
} send_queue;

/* ---------------------------------------------------------------- N-API helpers */

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, "ERR_PARLEY_DATAPATH", message);
  return NULL;
}

static napi_value number(napi_env env, double value) {
  napi_value result;
  napi_create_double(env, value, &result);
  return result;
}

static int get_buffer(napi_env env, napi_value value, unsigned char **data, size_t *length) {
  bool is_buffer = false;
  if (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer) return 0;
  return napi_get_buffer_info(env, value, (void **)data, length) == napi_ok;
}

static int get_int(napi_env env, napi_value value, int64_t *out) {
  return napi_get_value_int64(env, value, out) == napi_ok;
}

static void *get_external(napi_env env, napi_value value) {
  void *data = NULL;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return NULL;
  if (napi_get_value_external(env, value, &data) != napi_ok) return NULL;
  return data;
}

/* ---------------------------------------------------------------- SRTP */

static void srtp_free(srtp_context *context) {
  if (context == NULL) return;
  EVP_CIPHER_CTX_free(context->encrypt);
  EVP_CIPHER_CTX_free(context->decrypt);
  EVP_MAC_CTX_free(context->mac);
  OPENSSL_cleanse(context->salt, sizeof context->salt);
  free(context);
}

static void srtp_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  srtp_free((srtp_context *)data);
}

/* createSrtpContext(profile, sessionKey[16], sessionSalt[>=12], authKey[20] | null) */
static napi_value create_srtp_context(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int64_t profile = 0;
  unsigned char *key, *salt, *auth_key = NULL;
  size_t key_length, salt_length, auth_key_length = 0;
  if (argc < 4 || !get_int(env, args[0], &profile)) return throw_error(env, "profile must be a number");
  if (profile != PROFILE_AES_CM_HMAC_SHA1_80 && profile != PROFILE_AEAD_AES_128_GCM)
    return throw_error(env, "profile must be 1 (AES_CM_128_HMAC_SHA1_80) or 7 (AEAD_AES_128_GCM)");
  if (!get_buffer(env, args[1], &key, &key_length) || key_length != 16)
    return throw_error(env, "sessionKey must be a 16-byte Buffer");
  if (!get_buffer(env, args[2], &salt, &salt_length) || salt_length < 12 || salt_length > 14)
    return throw_error(env, "sessionSalt must be a 12- to 14-byte Buffer");
  if (profile == PROFILE_AES_CM_HMAC_SHA1_80 &&
      (!get_buffer(env, args[3], &auth_key, &auth_key_length) || auth_key_length != SHA1_LENGTH))
    return throw_error(env, "authKey must be a 20-byte Buffer for AES_CM_128_HMAC_SHA1_80");
  if (profile == PROFILE_AEAD_AES_128_GCM && salt_length < 12)
    return throw_error(env, "sessionSalt must hold 12 bytes for AEAD_AES_128_GCM");

  srtp_context *context = calloc(1, sizeof *context);
  if (context == NULL) return throw_error(env, "out of memory");
  context->profile = (int)profile;
  memcpy(context->salt, salt, salt_length);
  context->encrypt = EVP_CIPHER_CTX_new();
  context->decrypt = EVP_CIPHER_CTX_new();
  int ok = context->encrypt != NULL && context->decrypt != NULL;
  if (ok && profile == PROFILE_AEAD_AES_128_GCM) {
    ok = EVP_EncryptInit_ex(context->encrypt, EVP_aes_128_gcm(), NULL, key, NULL) == 1 &&
         EVP_DecryptInit_ex(context->decrypt, EVP_aes_128_gcm(), NULL, key, NULL) == 1;
  } else if (ok) {
    ok = EVP_EncryptInit_ex(context->encrypt, EVP_aes_128_ctr(), NULL, key, NULL) == 1 &&
         EVP_DecryptInit_ex(context->decrypt, EVP_aes_128_ctr(), NULL, key, NULL) == 1;
    EVP_MAC *mac = ok ? EVP_MAC_fetch(NULL, "HMAC", NULL) : NULL;
    context->mac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
                            OSSL_PARAM_construct_end()};
    ok = context->mac != NULL && EVP_MAC_init(context->mac, auth_key, auth_key_length, params) == 1;
  }
  if (!ok) {
    srtp_free(context);
    return throw_error(env, "OpenSSL could not set up the SRTP cipher");
  }
  napi_value result;
  if (napi_create_external(env, context, srtp_finalize, NULL, &result) != napi_ok) {
    srtp_free(context);
    return throw_error(env, "could not wrap the SRTP context");
  }
  return result;
}

/* RFC 7714 §8.1: 00 00 || SSRC || ROC || SEQ, XOR the 12-byte salt. */
static void gcm_iv(const srtp_context *context, const unsigned char *header, uint32_t roc,
                   unsigned char iv[12]) {
  iv[0] = 0;
  iv[1] = 0;
  memcpy(iv + 2, header + 8, 4);
  iv[6] = (unsigned char)(roc >> 24);
  iv[7] = (unsigned char)(roc >> 16);
  iv[8] = (unsigned char)(roc >> 8);
  iv[9] = (unsigned char)roc;
  iv[10] = header[2];
  iv[11] = header[3];
  for (int i = 0; i < 12; i++) iv[i] ^= context->salt[i];
}

/* RFC 3711 §4.1.1: (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16); block counter 0. */
static void ctr_iv(const srtp_context *context, const unsigned char *header, uint32_t roc,
                   unsigned char iv[16]) {
  memset(iv, 0, 16);
  memcpy(iv + 4, header + 8, 4);
  iv[8] = (unsigned char)(roc >> 24);
  iv[9] = (unsigned char)(roc >> 16);
  iv[10] = (unsigned char)(roc >> 8);
  iv[11] = (unsigned char)roc;
  iv[12] = header[2];
  iv[13] = header[3];
  for (int i = 0; i < 14; i++) iv[i] ^= context->salt[i];
}

/* HMAC-SHA1 over data || ROC, truncated to 10 bytes (RFC 3711 §4.2). */
static int srtp_auth_tag(srtp_context *context, const unsigned char *data, size_t length, uint32_t roc,
                         unsigned char tag[SHA1_LENGTH]) {
  unsigned char roc_bytes[4] = {(unsigned char)(roc >> 24), (unsigned char)(roc >> 16),
                                (unsigned char)(roc >> 8), (unsigned char)roc};
  size_t tag_length = 0;
  return EVP_MAC_init(context->mac, NULL, 0, NULL) == 1 &&
         EVP_MAC_update(context->mac, data, length) == 1 &&
         EVP_MAC_update(context->mac, roc_bytes, 4) == 1 &&
         EVP_MAC_final(context->mac, tag, &tag_length, SHA1_LENGTH) == 1 && tag_length == SHA1_LENGTH;
}

/* The protected size of a packet, or 0 when the profile is unknown. */
static size_t protected_size(const srtp_context *context, size_t plain) {
  return plain + (context->profile == PROFILE_AEAD_AES_128_GCM ? GCM_TAG_LENGTH : HMAC_TAG_LENGTH);
}

/*
 * Writes header || E(payload || padding) || tag into out (which must hold protected_size bytes).
 * Padding (RFC 3550 §5.1) is padding_size bytes of zeros ending with the count; the header's P bit is
 * the caller's. Returns the bytes written, or 0 on a cipher failure.
 */
static size_t protect(srtp_context *context, unsigned char *out, const unsigned char *header,
                      size_t header_length, const unsigned char *payload, size_t payload_length,
                      size_t padding_size, uint32_t roc) {
  unsigned char padding[MAX_PADDING];
  if (padding_size > 0) {
    memset(padding, 0, padding_size);
    padding[padding_size - 1] = (unsigned char)padding_size;
  }
  memcpy(out, header, header_length);
  unsigned char *body = out + header_length;
  int written = 0;
  size_t plain = header_length + payload_length + padding_size;
  if (context->profile == PROFILE_AEAD_AES_128_GCM) {
    unsigned char iv[12];
    gcm_iv(context, header, roc, iv);
    EVP_CIPHER_CTX *cipher = context->encrypt;
    if (EVP_EncryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1) return 0;
    if (EVP_EncryptUpdate(cipher, NULL, &written, header, (int)header_length) != 1) return 0;
    if (EVP_EncryptUpdate(cipher, body, &written, payload, (int)payload_length) != 1) return 0;
    if (padding_size > 0 &&
        EVP_EncryptUpdate(cipher, body + payload_length, &written, padding, (int)padding_size) != 1)
      return 0;
    if (EVP_EncryptFinal_ex(cipher, out + plain, &written) != 1) return 0;
    if (EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LENGTH, out + plain) != 1) return 0;
    return plain + GCM_TAG_LENGTH;
  }
  unsigned char iv[16];
  ctr_iv(context, header, roc, iv);
  EVP_CIPHER_CTX *cipher = context->encrypt;
  if (EVP_EncryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1) return 0;
  if (EVP_EncryptUpdate(cipher, body, &written, payload, (int)payload_length) != 1) return 0;
  if (padding_size > 0 &&
      EVP_EncryptUpdate(cipher, body + payload_length, &written, padding, (int)padding_size) != 1)
    return 0;
  unsigned char tag[SHA1_LENGTH];
  if (!srtp_auth_tag(context, out, plain, roc, tag)) return 0;
  memcpy(out + plain, tag, HMAC_TAG_LENGTH);
  return plain + HMAC_TAG_LENGTH;
}

/* Reads the common arguments (context, header, payload, paddingSize, roc) starting at args[first]. */
typedef struct {
  srtp_context *context;
  unsigned char *header;
  size_t header_length;
  unsigned char *payload;
  size_t payload_length;
  size_t padding_size;
  uint32_t roc;
} protect_args;

static int read_protect_args(napi_env env, napi_value *args, protect_args *out) {
  int64_t padding = 0, roc = 0;
  out->context = get_external(env, args[0]);
  if (out->context == NULL) return throw_error(env, "context must be an SRTP context"), 0;
  if (!get_buffer(env, args[1], &out->header, &out->header_length) || out->header_length < 12 ||
      (out->header[0] & 0xc0) != 0x80)
    return throw_error(env, "header must be a serialised RTP header of at least 12 bytes"), 0;
  if (!get_buffer(env, args[2], &out->payload, &out->payload_length))
    return throw_error(env, "payload must be a Buffer"), 0;
  if (!get_int(env, args[3], &padding) || padding < 0 || padding > MAX_PADDING)
    return throw_error(env, "paddingSize must be 0–255"), 0;
  if (!get_int(env, args[4], &roc) || roc < 0 || roc > 0xffffffffLL)
    return throw_error(env, "roc must be a 32-bit unsigned integer"), 0;
  out->padding_size = (size_t)padding;
  out->roc = (uint32_t)roc;
  return 1;
}

/* protectRtp(context, header, payload, paddingSize, roc, out) → bytes written into out */
static napi_value protect_rtp(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  protect_args p;
  if (argc < 6 || !read_protect_args(env, args, &p)) return NULL;
  unsigned char *out;
  size_t out_length;
  if (!get_buffer(env, args[5], &out, &out_length)) return throw_error(env, "out must be a Buffer");
  size_t needed = protected_size(p.context, p.header_length + p.payload_length + p.padding_size);
  if (out_length < needed) return throw_error(env, "out is too small for the protected packet");
  size_t written = protect(p.context, out, p.header, p.header_length, p.payload, p.payload_length,
                           p.padding_size, p.roc);
  if (written == 0) return throw_error(env, "SRTP protection failed");
  return number(env, (double)written);
}

static void count_unprotected(napi_env env) {
  send_queue *queue = NULL;
  napi_get_instance_data(env, (void **)&queue);
  if (queue != NULL) queue->unprotected_packets++;
}

/*
 * unprotectRtp(context, packet, headerLength, roc) → the plaintext length (header and payload,
 * padding included), or -1 when the packet does not authenticate. Decrypts in place.
 */
static napi_value unprotect_rtp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  srtp_context *context = argc >= 4 ? get_external(env, args[0]) : NULL;
  unsigned char *packet;
  size_t length;
  int64_t header_length = 0, roc = 0;
  if (context == NULL) return throw_error(env, "context must be an SRTP context");
  if (!get_buffer(env, args[1], &packet, &length)) return throw_error(env, "packet must be a Buffer");
  if (!get_int(env, args[2], &header_length) || header_length < 12)
    return throw_error(env, "headerLength must be at least 12");
  if (!get_int(env, args[3], &roc) || roc < 0 || roc > 0xffffffffLL)
    return throw_error(env, "roc must be a 32-bit unsigned integer");
  size_t tag_length = context->profile == PROFILE_AEAD_AES_128_GCM ? GCM_TAG_LENGTH : HMAC_TAG_LENGTH;
  if (length < (size_t)header_length + tag_length) return number(env, -1);
  size_t plain = length - tag_length;
  size_t body_length = plain - (size_t)header_length;
  unsigned char *body = packet + header_length;
  int written = 0;
  if (context->profile == PROFILE_AEAD_AES_128_GCM) {
    unsigned char iv[12];
    gcm_iv(context, packet, (uint32_t)roc, iv);
    EVP_CIPHER_CTX *cipher = context->decrypt;
    if (EVP_DecryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1 ||
        EVP_DecryptUpdate(cipher, NULL, &written, packet, (int)header_length) != 1 ||
        EVP_DecryptUpdate(cipher, body, &written, body, (int)body_length) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LENGTH, packet + plain) != 1 ||
        EVP_DecryptFinal_ex(cipher, body + body_length, &written) != 1)
      return number(env, -1);
    count_unprotected(env);
    return number(env, (double)plain);
  }
  unsigned char tag[SHA1_LENGTH];
  if (!srtp_auth_tag(context, packet, plain, (uint32_t)roc, tag) ||
      CRYPTO_memcmp(tag, packet + plain, HMAC_TAG_LENGTH) != 0)
    return number(env, -1);
  unsigned char iv[16];
  ctr_iv(context, packet, (uint32_t)roc, iv);
  EVP_CIPHER_CTX *cipher = context->decrypt;
  if (EVP_DecryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1 ||
      EVP_DecryptUpdate(cipher, body, &written, body, (int)body_length) != 1)
    return number(env, -1);
  count_unprotected(env);
  return number(env, (double)plain);
}

/* ---------------------------------------------------------------- SRTCP */

#define SRTCP_INDEX_LENGTH 4
#define SRTCP_E_FLAG 0x80

/* RFC 7714 §9.1: 00 00 || SSRC || 00 00 || 0 || index (31 bits), XOR the 12-byte salt. */
static void gcm_rtcp_iv(const srtp_context *context, const unsigned char *packet, uint32_t index,
                        unsigned char iv[12]) {
  iv[0] = 0;
  iv[1] = 0;
  memcpy(iv + 2, packet + 4, 4);
  iv[6] = 0;
  iv[7] = 0;
  iv[8] = (unsigned char)(index >> 24);
  iv[9] = (unsigned char)(index >> 16);
  iv[10] = (unsigned char)(index >> 8);
  iv[11] = (unsigned char)index;
  for (int i = 0; i < 12; i++) iv[i] ^= context->salt[i];
}

/* RFC 3711 §4.1.1 for SRTCP: the index takes the place of ROC || SEQ. */
static void ctr_rtcp_iv(const srtp_context *context, const unsigned char *packet, uint32_t index,
                        unsigned char iv[16]) {
  memset(iv, 0, 16);
  memcpy(iv + 4, packet + 4, 4);
  iv[8] = 0;
  iv[9] = 0;
  iv[10] = (unsigned char)(index >> 24);
  iv[11] = (unsigned char)(index >> 16);
  iv[12] = (unsigned char)(index >> 8);
  iv[13] = (unsigned char)index;
  for (int i = 0; i < 14; i++) iv[i] ^= context->salt[i];
}

/* HMAC-SHA1 over data, truncated to 10 bytes (SRTCP has no ROC appended). */
static int srtcp_auth_tag(srtp_context *context, const unsigned char *data, size_t length,
                          unsigned char tag[SHA1_LENGTH]) {
  size_t tag_length = 0;
  return EVP_MAC_init(context->mac, NULL, 0, NULL) == 1 &&
         EVP_MAC_update(context->mac, data, length) == 1 &&
         EVP_MAC_final(context->mac, tag, &tag_length, SHA1_LENGTH) == 1 && tag_length == SHA1_LENGTH;
}

/*
 * protectRtcp(context, packet, index, out) → bytes written: the compound RTCP packet with everything
 * after its first 8 bytes encrypted, then (AES-GCM) tag ‖ E|index or (AES-CM) E|index ‖ tag.
 */
static napi_value protect_rtcp(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  srtp_context *context = argc >= 4 ? get_external(env, args[0]) : NULL;
  unsigned char *packet, *out;
  size_t length, out_length;
  int64_t index = 0;
  if (context == NULL) return throw_error(env, "context must be an SRTP context");
  if (!get_buffer(env, args[1], &packet, &length) || length < 8)
    return throw_error(env, "packet must be an RTCP packet of at least 8 bytes");
  if (!get_int(env, args[2], &index) || index < 0 || index > 0x7fffffffLL)
    return throw_error(env, "index must be a 31-bit SRTCP index");
  if (!get_buffer(env, args[3], &out, &out_length)) return throw_error(env, "out must be a Buffer");
  int gcm = context->profile == PROFILE_AEAD_AES_128_GCM;
  size_t tag_length = gcm ? GCM_TAG_LENGTH : HMAC_TAG_LENGTH;
  size_t needed = length + tag_length + SRTCP_INDEX_LENGTH;
  if (out_length < needed) return throw_error(env, "out is too small for the protected packet");
  uint32_t e_index = (uint32_t)index | 0x80000000u;
  unsigned char index_bytes[4] = {(unsigned char)(e_index >> 24), (unsigned char)(e_index >> 16),
                                  (unsigned char)(e_index >> 8), (unsigned char)e_index};
  int written = 0;
  memcpy(out, packet, 8);
  if (gcm) {
    unsigned char iv[12];
    gcm_rtcp_iv(context, packet, (uint32_t)index, iv);
    EVP_CIPHER_CTX *cipher = context->encrypt;
    if (EVP_EncryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1 ||
        EVP_EncryptUpdate(cipher, NULL, &written, packet, 8) != 1 ||
        EVP_EncryptUpdate(cipher, NULL, &written, index_bytes, 4) != 1 ||
        EVP_EncryptUpdate(cipher, out + 8, &written, packet + 8, (int)(length - 8)) != 1 ||
        EVP_EncryptFinal_ex(cipher, out + length, &written) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LENGTH, out + length) != 1)
      return throw_error(env, "SRTCP protection failed");
    memcpy(out + length + GCM_TAG_LENGTH, index_bytes, 4);
    return number(env, (double)needed);
  }
  unsigned char iv[16];
  ctr_rtcp_iv(context, packet, (uint32_t)index, iv);
  EVP_CIPHER_CTX *cipher = context->encrypt;
  if (EVP_EncryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1 ||
      EVP_EncryptUpdate(cipher, out + 8, &written, packet + 8, (int)(length - 8)) != 1)
    return throw_error(env, "SRTCP protection failed");
  memcpy(out + length, index_bytes, 4);
  unsigned char tag[SHA1_LENGTH];
  if (!srtcp_auth_tag(context, out, length + 4, tag)) return throw_error(env, "SRTCP protection failed");
  memcpy(out + length + 4, tag, HMAC_TAG_LENGTH);
  return number(env, (double)needed);
}

/*
 * unprotectRtcp(context, packet) → the length of the plain compound packet (decrypted in place at the
 * start of packet), or -1 when it does not authenticate. Packets sent unencrypted (E = 0) are only
 * authenticated.
 */
static napi_value unprotect_rtcp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  srtp_context *context = argc >= 2 ? get_external(env, args[0]) : NULL;
  unsigned char *packet;
  size_t length;
  if (context == NULL) return throw_error(env, "context must be an SRTP context");
  if (!get_buffer(env, args[1], &packet, &length)) return throw_error(env, "packet must be a Buffer");
  int gcm = context->profile == PROFILE_AEAD_AES_128_GCM;
  size_t tag_length = gcm ? GCM_TAG_LENGTH : HMAC_TAG_LENGTH;
  if (length < 8 + tag_length + SRTCP_INDEX_LENGTH) return number(env, -1);
  size_t plain = length - tag_length - SRTCP_INDEX_LENGTH;
  int written = 0;
  if (gcm) {
    unsigned char *index_bytes = packet + length - SRTCP_INDEX_LENGTH;
    unsigned char *tag = packet + plain;
    int encrypted = (index_bytes[0] & SRTCP_E_FLAG) != 0;
    uint32_t index = ((uint32_t)(index_bytes[0] & 0x7f) << 24) | ((uint32_t)index_bytes[1] << 16) |
                     ((uint32_t)index_bytes[2] << 8) | index_bytes[3];
    unsigned char iv[12];
    gcm_rtcp_iv(context, packet, index, iv);
    EVP_CIPHER_CTX *cipher = context->decrypt;
    /* AAD: the first 8 bytes (or, unencrypted, the whole packet) and then E|index. */
    size_t aad_length = encrypted ? 8 : plain;
    if (EVP_DecryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1 ||
        EVP_DecryptUpdate(cipher, NULL, &written, packet, (int)aad_length) != 1 ||
        EVP_DecryptUpdate(cipher, NULL, &written, index_bytes, 4) != 1 ||
        (encrypted &&
         EVP_DecryptUpdate(cipher, packet + 8, &written, packet + 8, (int)(plain - 8)) != 1) ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LENGTH, tag) != 1 ||
        EVP_DecryptFinal_ex(cipher, packet + plain, &written) != 1)
      return number(env, -1);
    return number(env, (double)plain);
  }
  /* AES-CM: E|index ‖ tag at the end; the tag covers everything before it. */
  size_t tag_offset = length - HMAC_TAG_LENGTH;
  unsigned char tag[SHA1_LENGTH];
  if (!srtcp_auth_tag(context, packet, tag_offset, tag) ||
      CRYPTO_memcmp(tag, packet + tag_offset, HMAC_TAG_LENGTH) != 0)
    return number(env, -1);
  unsigned char *index_bytes = packet + plain;
  if ((index_bytes[0] & SRTCP_E_FLAG) != 0) {
    uint32_t index = ((uint32_t)(index_bytes[0] & 0x7f) << 24) | ((uint32_t)index_bytes[1] << 16) |
                     ((uint32_t)index_bytes[2] << 8) | index_bytes[3];
    unsigned char iv[16];
    ctr_rtcp_iv(context, packet, index, iv);
    EVP_CIPHER_CTX *cipher = context->decrypt;
    if (EVP_DecryptInit_ex(cipher, NULL, NULL, NULL, iv) != 1 ||
        EVP_DecryptUpdate(cipher, packet + 8, &written, packet + 8, (int)(plain - 8)) != 1)
      return number(env, -1);
  }
  return number(env, (double)plain);
}

/* ---------------------------------------------------------------- UDP */

static void sender_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  udp_sender *sender = data;
  if (sender->fd >= 0) close(sender->fd);
  free(sender);
}

/* A close-on-exec duplicate of `fd` when it is a UDP socket; -1 with `*error` set otherwise. */
static int duplicate_udp_socket(int64_t fd, const char **error) {
  int type = 0;
  socklen_t type_length = sizeof type;
  if (fd < 0 || getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 || type != SOCK_DGRAM) {
    *error = "fd is not a UDP socket";
    return -1;
  }
  int copy = fcntl((int)fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) *error = "could not duplicate the socket descriptor";
  return copy;
}

/* createUdpSender(fd) → a sender holding its own duplicate of the socket's descriptor */
static napi_value create_udp_sender(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int64_t fd = -1;
  if (argc < 1 || !get_int(env, args[0], &fd) || fd < 0) return throw_error(env, "fd must be a descriptor");
  const char *error = NULL;
  int copy = duplicate_udp_socket(fd, &error);
  if (copy < 0) return throw_error(env, error);
  udp_sender *sender = calloc(1, sizeof *sender);
  if (sender == NULL) {
    close(copy);
    return throw_error(env, "out of memory");
  }
  sender->fd = copy;
  napi_value result;
  if (napi_create_external(env, sender, sender_finalize, NULL, &result) != napi_ok) {
    close(sender->fd);
    free(sender);
    return throw_error(env, "could not wrap the sender");
  }
  return result;
}

/* closeUdpSender(sender): releases the duplicate now (the port stays bound while it is open). */
static napi_value close_udp_sender(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  udp_sender *sender = argc >= 1 ? get_external(env, args[0]) : NULL;
  if (sender == NULL) return throw_error(env, "sender must be a UDP sender");
  send_queue *queue = NULL;
  napi_get_instance_data(env, (void **)&queue);
  if (sender->fd >= 0) {
    /* Queued packets for this descriptor go nowhere rather than to whatever reuses the number. */
    for (int i = 0; queue != NULL && i < queue->count; i++)
      if (queue->fds[i] == sender->fd) queue->fds[i] = -1;
    close(sender->fd);
    sender->fd = -1;
  }
  return NULL;
}

static void destination_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

/* createDestination(ip, port) → a parsed socket address */
static napi_value create_destination(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  char ip[64];
  size_t ip_length = 0;
  int64_t port = 0;
  if (argc < 2 || napi_get_value_string_utf8(env, args[0], ip, sizeof ip, &ip_length) != napi_ok)
    return throw_error(env, "ip must be a string");
  if (!get_int(env, args[1], &port) || port < 1 || port > 65535)
    return throw_error(env, "port must be 1–65535");
  destination *target = calloc(1, sizeof *target);
  if (target == NULL) return throw_error(env, "out of memory");
  struct sockaddr_in *v4 = (struct sockaddr_in *)&target->address;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&target->address;
  if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    target->length = sizeof *v4;
  } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    target->length = sizeof *v6;
  } else {
    free(target);
    return throw_error(env, "ip must be an IPv4 or IPv6 address");
  }
  napi_value result;
  if (napi_create_external(env, target, destination_finalize, NULL, &result) != napi_ok) {
    free(target);
    return throw_error(env, "could not wrap the destination");
  }
  return result;
}

/* Sends every queued packet: one sendmmsg per run of packets on the same socket. */
static int flush_queue(send_queue *queue) {
  int sent_total = 0;
  int i = 0;
  while (i < queue->count) {
    int fd = queue->fds[i];
    int end = i + 1;
    while (end < queue->count && queue->fds[end] == fd) end++;
    if (fd < 0) {
      queue->dropped_packets += end - i;
      i = end;
      continue;
    }
    while (i < end) {
      int sent = sendmmsg(fd, queue->messages + i, (unsigned int)(end - i), MSG_DONTWAIT);
      queue->send_calls++;
      if (sent < 0) {
        if (errno == EINTR) continue;
        /* UDP semantics: a packet the kernel refuses (full buffer, unreachable) is lost, not retried. */
        queue->dropped_packets++;
        i++;
        continue;
      }
      sent_total += sent;
      queue->sent_packets += sent;
      i += sent;
      if (sent == 0) {
        queue->dropped_packets++;
        i++;
      }
    }
  }
  queue->count = 0;
  return sent_total;
}

/*
 * queueRtp(context, header, payload, paddingSize, roc, sender, destination) → the protected size,
 * or 0 when the packet does not fit a queue slot (the caller sends it another way). The packet is
 * protected straight into the queue; flushRtp() (or a full queue) sends it.
 */
/* ---------------------------------------------------------------- UDP receive batches */

/*
 * A receiver reads a UDP socket (its own duplicate of the descriptor) with recvmmsg(2) when the event
 * loop reports it readable, and hands JavaScript each batch in one call: one Buffer holding the
 * datagrams back to back, and a Uint32Array of (offset, length, IPv4 address, port) per datagram. Node's
 * dgram socket calls into JavaScript once per datagram, with a Buffer, an address string and an object
 * each — the cost that dominated a shared port's per-packet profile. The caller stops Node's own reading
 * of the socket (recvStop) and keeps sending through it.
 */
#define RECV_BATCH 64
#define RECV_SLOT_BYTES 4096
#define RECV_ROUNDS 4 /* batches per wake-up at most, so that one busy socket cannot starve the loop */

typedef struct {
  napi_env env;
  uv_poll_t poll;
  int fd;
  int closed;
  int owners; /* the JavaScript object and the uv handle: freed when both let go */
  napi_ref callback;
  napi_async_context async;
  double batches;
  double datagrams;
  struct mmsghdr messages[RECV_BATCH];
  struct iovec vectors[RECV_BATCH];
  struct sockaddr_in addresses[RECV_BATCH];
  unsigned char data[RECV_BATCH][RECV_SLOT_BYTES];
} udp_receiver;

static void receiver_deliver(udp_receiver *receiver, int count) {
  napi_env env = receiver->env;
  size_t total = 0;
  int kept = 0;
  uint32_t meta[RECV_BATCH * 4];
  for (int i = 0; i < count; i++) {
    const struct mmsghdr *message = &receiver->messages[i];
    /* Truncated (bigger than a slot) or not IPv4: not a datagram the SFU takes. */
    if ((message->msg_hdr.msg_flags & MSG_TRUNC) != 0 || receiver->addresses[i].sin_family != AF_INET)
      continue;
    meta[kept * 4] = (uint32_t)total;
    meta[kept * 4 + 1] = message->msg_len;
    meta[kept * 4 + 2] = ntohl(receiver->addresses[i].sin_addr.s_addr);
    meta[kept * 4 + 3] = ntohs(receiver->addresses[i].sin_port);
    total += message->msg_len;
    kept++;
  }
  if (kept == 0) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  void *bytes = NULL;
  napi_value buffer, table_buffer, table, count_value, callback, receiver_object;
  void *table_bytes = NULL;
  if (napi_create_buffer(env, total, &bytes, &buffer) == napi_ok &&
      napi_create_arraybuffer(env, (size_t)kept * 4 * sizeof(uint32_t), &table_bytes, &table_buffer) == napi_ok &&
      napi_create_typedarray(env, napi_uint32_array, (size_t)kept * 4, table_buffer, 0, &table) == napi_ok &&
      napi_create_uint32(env, (uint32_t)kept, &count_value) == napi_ok &&
      napi_get_reference_value(env, receiver->callback, &callback) == napi_ok &&
      napi_get_global(env, &receiver_object) == napi_ok) {
    int slot = 0;
    for (int i = 0; i < count; i++) {
      const struct mmsghdr *message = &receiver->messages[i];
      if ((message->msg_hdr.msg_flags & MSG_TRUNC) != 0 || receiver->addresses[i].sin_family != AF_INET)
        continue;
      memcpy((unsigned char *)bytes + meta[slot * 4], receiver->data[i], message->msg_len);
      slot++;
    }
    memcpy(table_bytes, meta, (size_t)kept * 4 * sizeof(uint32_t));
    napi_value args[3] = {buffer, table, count_value};
    napi_value result;
    receiver->batches++;
    receiver->datagrams += kept;
    /* make_callback: the microtasks the batch queued run once, after it, as after any I/O callback. */
    if (napi_make_callback(env, receiver->async, receiver_object, callback, 3, args, &result) != napi_ok) {
      /* Thrown by the handler: report it as Node reports an exception in any I/O callback. */
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void receiver_readable(uv_poll_t *poll, int status, int events) {
  (void)events;
  udp_receiver *receiver = poll->data;
  if (status < 0 || receiver->closed) return;
  for (int round = 0; round < RECV_ROUNDS && !receiver->closed; round++) {
    for (int i = 0; i < RECV_BATCH; i++) {
      receiver->vectors[i].iov_base = receiver->data[i];
      receiver->vectors[i].iov_len = RECV_SLOT_BYTES;
      struct msghdr *header = &receiver->messages[i].msg_hdr;
      memset(header, 0, sizeof *header);
      header->msg_name = &receiver->addresses[i];
      header->msg_namelen = sizeof receiver->addresses[i];
      header->msg_iov = &receiver->vectors[i];
      header->msg_iovlen = 1;
    }
    int count = recvmmsg(receiver->fd, receiver->messages, RECV_BATCH, MSG_DONTWAIT, NULL);
    if (count <= 0) break; /* EAGAIN: drained; other errors (ICMP unreachable reports): next wake-up */
    receiver_deliver(receiver, count);
    if (count < RECV_BATCH) break;
  }
}

static void receiver_release(udp_receiver *receiver) {
  if (--receiver->owners == 0) free(receiver);
}

static void receiver_closed(uv_handle_t *handle) { receiver_release(handle->data); }

static void receiver_close(napi_env env, udp_receiver *receiver) {
  if (receiver->closed) return;
  receiver->closed = 1;
  uv_poll_stop(&receiver->poll);
  close(receiver->fd);
  napi_delete_reference(env, receiver->callback);
  napi_async_destroy(env, receiver->async);
  uv_close((uv_handle_t *)&receiver->poll, receiver_closed);
}

/* The JavaScript object was collected: close the receiver if nobody did, then let go of it. */
static void receiver_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  udp_receiver *receiver = data;
  receiver_close(env, receiver);
  receiver_release(receiver);
}

/* createUdpReceiver(fd, onBatch(buffer, table, count)) → receiver (reading from now on) */
static napi_value create_udp_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int64_t fd = -1;
  if (argc < 2 || !get_int(env, args[0], &fd) || fd < 0) return throw_error(env, "fd must be a descriptor");
  napi_valuetype type;
  if (napi_typeof(env, args[1], &type) != napi_ok || type != napi_function)
    return throw_error(env, "onBatch must be a function");
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL)
    return throw_error(env, "no event loop");
  const char *error = NULL;
  int copy = duplicate_udp_socket(fd, &error);
  if (copy < 0) return throw_error(env, error);
  udp_receiver *receiver = calloc(1, sizeof *receiver);
  if (receiver == NULL) {
    close(copy);
    return throw_error(env, "out of memory");
  }
  receiver->env = env;
  receiver->fd = copy;
  napi_value name;
  napi_create_string_utf8(env, "parley:udp-receiver", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, args[1], 1, &receiver->callback) != napi_ok ||
      napi_async_init(env, NULL, name, &receiver->async) != napi_ok ||
      uv_poll_init(loop, &receiver->poll, receiver->fd) != 0) {
    close(receiver->fd);
    free(receiver);
    return throw_error(env, "could not start the receiver");
  }
  receiver->poll.data = receiver;
  receiver->owners = 2;
  napi_value result;
  if (napi_create_external(env, receiver, receiver_finalize, NULL, &result) != napi_ok) {
    receiver->owners = 1;
    receiver_close(env, receiver); /* frees it once the uv handle is closed */
    return throw_error(env, "could not wrap the receiver");
  }
  uv_poll_start(&receiver->poll, UV_READABLE, receiver_readable);
  return result;
}

/* The receiver passed as the only argument; NULL with an exception pending when it is not one. */
static udp_receiver *receiver_argument(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  udp_receiver *receiver = argc < 1 ? NULL : get_external(env, args[0]);
  if (receiver == NULL) throw_error(env, "receiver must be a UDP receiver");
  return receiver;
}

/* closeUdpReceiver(receiver): stops reading and closes its descriptor; idempotent */
static napi_value close_udp_receiver(napi_env env, napi_callback_info info) {
  udp_receiver *receiver = receiver_argument(env, info);
  if (receiver == NULL) return NULL;
  receiver_close(env, receiver);
  return NULL;
}

/* receiverStats(receiver) → { batches, datagrams } */
static napi_value receiver_stats(napi_env env, napi_callback_info info) {
  udp_receiver *receiver = receiver_argument(env, info);
  if (receiver == NULL) return NULL;
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "batches", number(env, receiver->batches));
  napi_set_named_property(env, result, "datagrams", number(env, receiver->datagrams));
  return result;
}

/* Fills in the message of the queue's next slot, whose bytes are written, and counts it queued. */
static void commit_slot(send_queue *queue, int slot, size_t length, const destination *target,
                        const udp_sender *sender) {
  memcpy(&queue->addresses[slot], &target->address, target->length);
  queue->vectors[slot].iov_base = queue->data[slot];
  queue->vectors[slot].iov_len = length;
  struct msghdr *header = &queue->messages[slot].msg_hdr;
  memset(header, 0, sizeof *header);
  header->msg_name = &queue->addresses[slot];
  header->msg_namelen = target->length;
  header->msg_iov = &queue->vectors[slot];
  header->msg_iovlen = 1;
  queue->fds[slot] = sender->fd;
  queue->count++;
}

static napi_value queue_rtp(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  protect_args p;
  if (argc < 7 || !read_protect_args(env, args, &p)) return NULL;
  udp_sender *sender = get_external(env, args[5]);
  destination *target = get_external(env, args[6]);
  if (sender == NULL) return throw_error(env, "sender must be a UDP sender");
  if (target == NULL) return throw_error(env, "destination must be a destination");
  if (sender->fd < 0) return number(env, 0);
  size_t needed = protected_size(p.context, p.header_length + p.payload_length + p.padding_size);
  if (needed > SLOT_BYTES) return number(env, 0);
  send_queue *queue = NULL;
  napi_get_instance_data(env, (void **)&queue);
  if (queue->count == QUEUE_SLOTS) flush_queue(queue);
  int slot = queue->count;
  size_t written = protect(p.context, queue->data[slot], p.header, p.header_length, p.payload,
                           p.payload_length, p.padding_size, p.roc);
  if (written == 0) return throw_error(env, "SRTP protection failed");
  commit_slot(queue, slot, written, target, sender);
  return number(env, (double)written);
}

/*
 * queueDatagram(data, sender, destination) → bytes queued, or 0 when it cannot be (too big for a slot,
 * empty, or the sender is closed; then send it another way). For what is already protected or needs no
 * protection — SRTCP, DTLS, STUN — so that it leaves in the same sendmmsg as the turn's RTP.
 */
static napi_value queue_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  void *data = NULL;
  size_t length = 0;
  if (argc < 3 || napi_get_buffer_info(env, args[0], &data, &length) != napi_ok)
    return throw_error(env, "data must be a Buffer");
  udp_sender *sender = get_external(env, args[1]);
  destination *target = get_external(env, args[2]);
  if (sender == NULL) return throw_error(env, "sender must be a UDP sender");
  if (target == NULL) return throw_error(env, "destination must be a destination");
  if (sender->fd < 0 || length == 0 || length > SLOT_BYTES) return number(env, 0);
  send_queue *queue = NULL;
  napi_get_instance_data(env, (void **)&queue);
  if (queue->count == QUEUE_SLOTS) flush_queue(queue);
  int slot = queue->count;
  memcpy(queue->data[slot], data, length);
  commit_slot(queue, slot, length, target, sender);
  return number(env, (double)length);
}

/* flushRtp() → packets handed to the kernel */
static napi_value flush_rtp(napi_env env, napi_callback_info info) {
  (void)info;
  send_queue *queue = NULL;
  napi_get_instance_data(env, (void **)&queue);
  return number(env, flush_queue(queue));
}

/* stats() → { sentPackets, droppedPackets, sendCalls, queued, unprotectedPackets } */
static napi_value stats(napi_env env, napi_callback_info info) {
  (void)info;
  send_queue *queue = NULL;
  napi_get_instance_data(env, (void **)&queue);
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "sentPackets", number(env, queue->sent_packets));
  napi_set_named_property(env, result, "droppedPackets", number(env, queue->dropped_packets));
  napi_set_named_property(env, result, "sendCalls", number(env, queue->send_calls));
  napi_set_named_property(env, result, "queued", number(env, queue->count));
  napi_set_named_property(env, result, "unprotectedPackets", number(env, queue->unprotected_packets));
  return result;
}

static void queue_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  send_queue *queue = calloc(1, sizeof *queue);
  if (queue == NULL) {
    throw_error(env, "out of memory");
    return NULL;
  }
  napi_set_instance_data(env, queue, queue_finalize, NULL);
  const napi_property_descriptor properties[] = {
      {"createSrtpContext", NULL, create_srtp_context, NULL, NULL, NULL, napi_enumerable, NULL},
      {"protectRtp", NULL, protect_rtp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unprotectRtp", NULL, unprotect_rtp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"protectRtcp", NULL, protect_rtcp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unprotectRtcp", NULL, unprotect_rtcp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"createUdpSender", NULL, create_udp_sender, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeUdpSender", NULL, close_udp_sender, NULL, NULL, NULL, napi_enumerable, NULL},
      {"createDestination", NULL, create_destination, NULL, NULL, NULL, napi_enumerable, NULL},
      {"queueRtp", NULL, queue_rtp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"queueDatagram", NULL, queue_datagram, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flushRtp", NULL, flush_rtp, NULL, NULL, NULL, napi_enumerable, NULL},
      {"createUdpReceiver", NULL, create_udp_receiver, NULL, NULL, NULL, napi_enumerable, NULL},
      {"closeUdpReceiver", NULL, close_udp_receiver, NULL, NULL, NULL, napi_enumerable, NULL},
      {"receiverStats", NULL, receiver_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}
