/*
 * crypto.c - DNSSEC's cryptography through OpenSSL 3.  The contract and
 * the table of algorithms are in crypto.h; this file says why.
 *
 * OpenSSL 3 only, through EVP and OSSL_PARAM: keys are built with
 * EVP_PKEY_fromdata from the DNSKEY octets, signatures checked with one-shot
 * EVP_DigestVerify (which EdDSA requires, as it cannot stream).  Reading
 * key octets goes through the sticky-error reader of common/wire.h.
 */
#include "crypto.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "../common/wire.h"

/*
 * RSA moduli above 16384 bits are refused by OpenSSL itself
 * (OPENSSL_RSA_MAX_MODULUS_BITS); saying so up front makes such a key
 * malformed rather than a failed signature, and bounds the work a hostile
 * key can ask of us.  The RFC 3110 / RFC 5702 ceiling of 4096 bits is not
 * enforced: validators built on OpenSSL accept larger keys.
 */
#define RSA_MAX_MODULUS 2048 /* octets */

/* --- digests ---------------------------------------------------------- */

static const EVP_MD *ds_md(uint8_t type)
{
	switch (type) {
	case DNSSEC_DIGEST_SHA1: return EVP_sha1();
	case DNSSEC_DIGEST_SHA256: return EVP_sha256();
	case DNSSEC_DIGEST_SHA384: return EVP_sha384();
	}
	return NULL;
}

size_t crypto_digest_size(uint8_t digest_type)
{
	switch (digest_type) {
	case DNSSEC_DIGEST_SHA1: return 20;
	case DNSSEC_DIGEST_SHA256: return 32;
	case DNSSEC_DIGEST_SHA384: return 48;
	}
	return 0;
}

db_status_t crypto_digest(uint8_t digest_type, const uint8_t *data, size_t len, uint8_t *out,
			  size_t *out_len)
{
	static const uint8_t none[1]; /* a readable base for an empty buffer */
	const EVP_MD *md = ds_md(digest_type);
	if (!md)
		return DB_EUNSUPP;

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		 EVP_DigestUpdate(ctx, data ? data : none, data ? len : 0) == 1 &&
		 EVP_DigestFinal_ex(ctx, out, &n) == 1 && n <= CRYPTO_MAX_DIGEST;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		return DB_ENOMEM;
	}
	*out_len = n;
	return DB_OK;
}

/* --- keys ------------------------------------------------------------- */

enum key_kind { KEY_RSA, KEY_EC, KEY_EDDSA };

typedef struct alg_info {
	enum key_kind kind;
	const char *keytype; /* OpenSSL key manager name */
	const char *md;      /* digest name; NULL for EdDSA (pure) */
	const char *group;   /* ECDSA curve */
	size_t key_len;      /* exact raw key length; 0 for RSA */
	size_t sig_len;      /* exact signature length; 0 for RSA */
} alg_info_t;

/* The table of crypto.h, row by row. */
static const alg_info_t *alg_lookup(uint8_t alg)
{
	static const alg_info_t rsasha1 = { KEY_RSA, "RSA", "SHA1", NULL, 0, 0 };
	static const alg_info_t rsasha256 = { KEY_RSA, "RSA", "SHA256", NULL, 0, 0 };
	static const alg_info_t rsasha512 = { KEY_RSA, "RSA", "SHA512", NULL, 0, 0 };
	static const alg_info_t p256 = { KEY_EC, "EC", "SHA256", "prime256v1", 64, 64 };
	static const alg_info_t p384 = { KEY_EC, "EC", "SHA384", "secp384r1", 96, 96 };
	static const alg_info_t ed25519 = { KEY_EDDSA, "ED25519", NULL, NULL, 32, 64 };
	static const alg_info_t ed448 = { KEY_EDDSA, "ED448", NULL, NULL, 57, 114 };

	switch (alg) {
	case DNSSEC_ALG_RSASHA1:
	case DNSSEC_ALG_RSASHA1_NSEC3_SHA1: return &rsasha1; /* RFC 3110, 5155 */
	case DNSSEC_ALG_RSASHA256: return &rsasha256;        /* RFC 5702 */
	case DNSSEC_ALG_RSASHA512: return &rsasha512;        /* RFC 5702 */
	case DNSSEC_ALG_ECDSAP256SHA256: return &p256;       /* RFC 6605 */
	case DNSSEC_ALG_ECDSAP384SHA384: return &p384;       /* RFC 6605 */
	case DNSSEC_ALG_ED25519: return &ed25519;            /* RFC 8080 */
	case DNSSEC_ALG_ED448: return &ed448;                /* RFC 8080 */
	}
	return NULL;
}

int crypto_alg_supported(uint8_t algorithm) { return alg_lookup(algorithm) != NULL; }

/* Builds a public key from OSSL_PARAMs; VALID with *out set, or why not. */
static crypto_verdict_t pkey_fromdata(const char *keytype, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, keytype, NULL);
	if (!pctx)
		return CRYPTO_UNAVAILABLE;
	crypto_verdict_t r = CRYPTO_VALID;
	if (EVP_PKEY_fromdata_init(pctx) != 1)
		r = CRYPTO_UNAVAILABLE;
	else if (EVP_PKEY_fromdata(pctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		r = CRYPTO_BAD_KEY;
	EVP_PKEY_CTX_free(pctx);
	return r;
}

/*
 * RFC 3110 2: exponent length in one octet, or a zero octet and two more;
 * the exponent; the modulus.  *mod_len gets the modulus length without
 * leading zero octets, which is the length every signature must have.
 */
static crypto_verdict_t rsa_key(const uint8_t *k, size_t klen, EVP_PKEY **out, size_t *mod_len)
{
	wire_t w;
	wire_init(&w, k, klen);
	size_t elen = wire_u8(&w);
	if (elen == 0)
		elen = wire_u16(&w);
	const uint8_t *e = wire_take(&w, elen);
	if (!wire_ok(&w) || elen == 0 || !e)
		return CRYPTO_BAD_KEY;
	/* The modulus is the rest, its leading zero octets not counted. */
	while (wire_left(&w) > 0 && wire_peek_u8(&w, 0) == 0)
		wire_skip(&w, 1);
	size_t nlen = wire_left(&w);
	const uint8_t *n = wire_take(&w, nlen);
	if (!n || nlen == 0 || nlen > RSA_MAX_MODULUS)
		return CRYPTO_BAD_KEY;
	*mod_len = nlen;

	crypto_verdict_t r = CRYPTO_NOMEM;
	BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
	BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	if (bn_n && bn_e && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL)
		r = pkey_fromdata("RSA", params, out);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return r;
}

/* RFC 6605 4: the key is X | Y, an uncompressed point without its 0x04. */
static crypto_verdict_t ec_key(const alg_info_t *a, const uint8_t *k, size_t klen, EVP_PKEY **out)
{
	uint8_t pt[1 + 96];
	char group[16];

	if (klen != a->key_len || klen + 1 > sizeof(pt))
		return CRYPTO_BAD_KEY;
	pt[0] = 0x04;
	memcpy(pt + 1, k, klen);
	/* A writable copy, as OSSL_PARAM_construct_utf8_string takes char *. */
	strncpy(group, a->group, sizeof(group) - 1);
	group[sizeof(group) - 1] = '\0';
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, klen + 1),
		OSSL_PARAM_construct_end(),
	};
	return pkey_fromdata("EC", params, out);
}

/* RFC 8080 3: the key is the raw public key of RFC 8032. */
static crypto_verdict_t eddsa_key(const alg_info_t *a, const uint8_t *k, size_t klen,
				  EVP_PKEY **out)
{
	uint8_t raw[57];

	if (klen != a->key_len || klen > sizeof(raw))
		return CRYPTO_BAD_KEY;
	memcpy(raw, k, klen);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, raw, klen),
		OSSL_PARAM_construct_end(),
	};
	return pkey_fromdata(a->keytype, params, out);
}

/* --- signatures ------------------------------------------------------- */

/* One DER INTEGER from the big-endian unsigned value that v holds to its
 * end (ITU-T X.690 8.3): minimal, with a zero octet before a high bit. */
static size_t der_int(uint8_t *o, wire_t *v)
{
	while (wire_left(v) > 1 && wire_peek_u8(v, 0) == 0)
		wire_skip(v, 1);
	size_t pad = (wire_peek_u8(v, 0) & 0x80) ? 1 : 0;
	size_t n = wire_left(v);
	o[0] = 0x02;
	o[1] = (uint8_t)(n + pad);
	o[2] = 0;
	wire_copy(v, o + 2 + pad, n);
	return 2 + pad + n;
}

/*
 * RFC 6605 4: the signature is r | s, each as long as the curve order;
 * OpenSSL wants the DER ECDSA-Sig-Value of RFC 3279 2.2.3.  At most
 * 2 + 2 * (3 + 48) = 104 octets, so the lengths fit the short form.
 */
static size_t ecdsa_der(const uint8_t *sig, size_t len, uint8_t der[2 + 2 * 51])
{
	wire_t w;
	wire_init(&w, sig, len);
	wire_t r = wire_sub(&w, len / 2);
	wire_t s = wire_sub(&w, len / 2);
	size_t n = der_int(der + 2, &r);
	n += der_int(der + 2 + n, &s);
	der[0] = 0x30;
	der[1] = (uint8_t)n;
	return n + 2;
}

crypto_verdict_t crypto_verify(uint8_t algorithm, const uint8_t *key, size_t key_len,
			       const uint8_t *data, size_t data_len, const uint8_t *sig,
			       size_t sig_len)
{
	static const uint8_t none[1]; /* a readable base for empty data */
	const alg_info_t *a = alg_lookup(algorithm);
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *mctx = NULL;
	uint8_t der[2 + 2 * 51];
	size_t mod_len = 0;
	crypto_verdict_t r;

	if (!a)
		return CRYPTO_UNSUPPORTED;
	if (!key)
		key_len = 0;
	if (!sig)
		sig_len = 0;
	if (!data) {
		data = none;
		data_len = 0;
	}

	/* Fixed-size signatures are checked first, as the cheapest test. */
	if (a->sig_len && sig_len != a->sig_len) {
		r = CRYPTO_BAD_SIG;
		goto done;
	}
	switch (a->kind) {
	case KEY_RSA: r = rsa_key(key, key_len, &pkey, &mod_len); break;
	case KEY_EC: r = ec_key(a, key, key_len, &pkey); break;
	default: r = eddsa_key(a, key, key_len, &pkey); break;
	}
	if (r != CRYPTO_VALID)
		goto done;

	/* RFC 3110 3: the signature is as long as the modulus. */
	if (!a->sig_len && sig_len != mod_len) {
		r = CRYPTO_BAD_SIG;
		goto done;
	}
	if (a->kind == KEY_EC) {
		sig_len = ecdsa_der(sig, sig_len, der);
		sig = der;
	}

	if (!(mctx = EVP_MD_CTX_new())) {
		r = CRYPTO_NOMEM;
		goto done;
	}
	/* A refusal here is OpenSSL's policy (a provider without the
	 * algorithm, a crypto policy forbidding SHA-1), not the zone's. */
	if (EVP_DigestVerifyInit_ex(mctx, NULL, a->md, NULL, NULL, pkey, NULL) != 1) {
		r = CRYPTO_UNAVAILABLE;
		goto done;
	}
	r = EVP_DigestVerify(mctx, sig, sig_len, data, data_len) == 1 ? CRYPTO_VALID
								      : CRYPTO_INVALID;
done:
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pkey);
	if (r != CRYPTO_VALID)
		ERR_clear_error();
	return r;
}

const char *crypto_verdict_str(crypto_verdict_t v)
{
	switch (v) {
	case CRYPTO_VALID: return "valid";
	case CRYPTO_INVALID: return "invalid";
	case CRYPTO_BAD_KEY: return "malformed key";
	case CRYPTO_BAD_SIG: return "malformed signature";
	case CRYPTO_UNSUPPORTED: return "unsupported algorithm";
	case CRYPTO_UNAVAILABLE: return "algorithm unavailable in OpenSSL";
	case CRYPTO_NOMEM: return "out of memory";
	}
	return "unknown";
}
