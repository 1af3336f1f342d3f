#!/usr/bin/env bash
# The device side of Holdfast's TPM-bound X.509 flow (docs/provisioning-tpm.md), with tpm2-tools.
# Used as-is by the provisioning tests against swtpm; a device maker can start from it.
#
# Run in the device's working directory with TPM2TOOLS_TCTI pointing at the TPM
# (e.g. "device:/dev/tpmrm0" on hardware, "swtpm:host=127.0.0.1,port=2321" for swtpm).
#
#   device.sh enroll [rsa|ecc] [ecc|rsa|rsapss]  EK (persisted at 0x81010001) and AK (0x81000002);
#                                         writes ek.pub, ak.pub (TPM2B_PUBLIC) and ak.name
#   device.sh activate CRED OUT           TPM2_ActivateCredential of a tpm2-tools credential file;
#                                         writes the recovered secret to OUT
#   device.sh create-key HANDLE PREFIX    an ECC P-256 ECDSA-SHA256 signing key created in the TPM
#                                         under the owner SRK, persisted at HANDLE; writes PREFIX.pub
#   device.sh certify HANDLE NONCE_HEX    TPM2_Certify of HANDLE by the AK with qualifying data NONCE;
#                                         writes certify.attest (TPMS_ATTEST), certify.sig (TPMT_SIGNATURE)
#   device.sh certify-no-nonce HANDLE     the same with tpm2_certify, which in tpm2-tools 5.4 cannot
#                                         pass qualifying data
#   device.sh sign HANDLE DIGEST OUT      ECDSA signature (DER) of a SHA-256 digest by the key at HANDLE
set -euo pipefail

EK_HANDLE=0x81010001
AK_HANDLE=0x81000002

# tpm2-tools leaves transient objects and sessions loaded after each command; a TPM has only a few
# slots (swtpm: 3), so clean up after every step.
flush() {
  tpm2_flushcontext -t >/dev/null 2>&1 || true
  tpm2_flushcontext -s >/dev/null 2>&1 || true
}

cmd=${1:?usage: device.sh enroll|activate|create-key|certify|certify-no-nonce|sign ...}
shift
case "$cmd" in
  enroll)
    ek_alg=${1:-rsa}
    ak_alg=${2:-ecc}
    tpm2_createek -c "$EK_HANDLE" -G "$ek_alg" -u ek.pub >/dev/null
    flush
    if [ "$ak_alg" = rsa ]; then
      tpm2_createak -C "$EK_HANDLE" -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name >/dev/null
    elif [ "$ak_alg" = rsapss ]; then
      tpm2_createak -C "$EK_HANDLE" -c ak.ctx -G rsa -g sha256 -s rsapss -u ak.pub -n ak.name >/dev/null
    else
      tpm2_createak -C "$EK_HANDLE" -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name >/dev/null
    fi
    flush
    tpm2_evictcontrol -C o -c ak.ctx "$AK_HANDLE" >/dev/null
    flush
    ;;
  activate)
    cred=${1:?credential file}
    out=${2:?output file}
    # The EK's policy is PolicySecret(endorsement hierarchy): activation needs a policy session.
    tpm2_startauthsession --policy-session -S session.ctx >/dev/null
    tpm2_policysecret -S session.ctx -c e >/dev/null
    status=0
    tpm2_activatecredential -c "$AK_HANDLE" -C "$EK_HANDLE" -i "$cred" -o "$out" -P "session:session.ctx" >/dev/null || status=$?
    tpm2_flushcontext session.ctx >/dev/null 2>&1 || true
    flush
    exit $status
    ;;
  create-key)
    handle=${1:?persistent handle}
    prefix=${2:?output prefix}
    tpm2_createprimary -C o -g sha256 -G ecc256 -c srk.ctx >/dev/null
    flush
    # fixedtpm|fixedparent: the key can never leave this TPM; sensitivedataorigin: the TPM made it.
    tpm2_create -C srk.ctx -G ecc256:ecdsa-sha256 -u "$prefix.pub" -r "$prefix.priv" \
      -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" >/dev/null
    flush
    tpm2_load -C srk.ctx -u "$prefix.pub" -r "$prefix.priv" -c "$prefix.ctx" >/dev/null
    tpm2_evictcontrol -C o -c "$prefix.ctx" "$handle" >/dev/null
    flush
    ;;
  certify)
    handle=${1:?key handle}
    nonce=${2:?nonce hex}
    [[ "$nonce" =~ ^([0-9a-fA-F]{2}){1,64}$ ]] || { echo "nonce must be 1..64 bytes of hex" >&2; exit 2; }
    # tpm2-tools 5.4's tpm2_certify has no option for qualifying data, so send TPM2_Certify
    # (Part 3 §18.2) as a raw command: two password sessions with empty auth, inScheme NULL (the
    # AK's own scheme). Newer tpm2-tools can do the same with tpm2_certify --qualification.
    n=$(( ${#nonce} / 2 ))
    h=${handle#0x}
    # handles, authorizationSize 18, two TPMS_AUTH_COMMAND (TPM_RS_PW, empty nonce, no attributes, empty hmac)
    params=$(printf '%s%s%08x%s%s%04x%s%04x' "$h" "${AK_HANDLE#0x}" 18 \
      "400000090000000000" "400000090000000000" "$n" "$nonce" 16)
    size=$(( 10 + ${#params} / 2 ))
    printf '8002%08x00000148%s' "$size" "$params" | xxd -r -p > certify.cmd
    tpm2_send -o certify.rsp < certify.cmd
    rc=$(xxd -p -s 6 -l 4 certify.rsp)
    if [ "$rc" != 00000000 ]; then echo "TPM2_Certify failed: response code 0x$rc" >&2; exit 1; fi
    # Response: header (10), parameterSize (4), TPM2B_ATTEST, TPMT_SIGNATURE, then the sessions.
    psize=$((16#$(xxd -p -s 10 -l 4 certify.rsp)))
    asize=$((16#$(xxd -p -s 14 -l 2 certify.rsp)))
    dd if=certify.rsp of=certify.attest bs=1 skip=16 count="$asize" status=none
    dd if=certify.rsp of=certify.sig bs=1 skip=$((16 + asize)) count=$((psize - 2 - asize)) status=none
    flush
    ;;
  certify-no-nonce)
    handle=${1:?key handle}
    tpm2_certify -c "$handle" -C "$AK_HANDLE" -g sha256 -o certify.attest -s certify.sig >/dev/null
    flush
    ;;
  sign)
    handle=${1:?key handle}
    digest=${2:?digest file}
    out=${3:?output file}
    tpm2_sign -c "$handle" -g sha256 -d -f plain -o "$out" "$digest"
    flush
    ;;
  *)
    echo "unknown command: $cmd" >&2
    exit 2
    ;;
esac
