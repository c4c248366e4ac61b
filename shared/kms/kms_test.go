package kms_test

import (
	"bytes"
	"maps"
	"testing"

	kmsapi "github.com/aws/aws-sdk-go-v2/service/kms"

	"rcgithub/shared/awstest"
	"rcgithub/shared/kms"
	"rcgithub/shared/session"
)

func TestSealOpen(t *testing.T) {
	cfg, counter := awstest.CountedConfig(t)
	client := kmsapi.NewFromConfig(cfg)
	sealer := kms.New(client, awstest.KMSKey(t, cfg))
	otherKey := kms.New(client, awstest.KMSKey(t, cfg))
	ctx := t.Context()

	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	token := []byte("gho_16C7e42F292c6912E7710c838347Ae178B4a")

	counter.Reset()
	sealed, err := sealer.Seal(ctx, k, token)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, token) {
		t.Fatal("sealed token contains the plaintext")
	}
	got, err := sealer.Open(ctx, k, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, token) {
		t.Fatalf("Open = %q, want %q", got, token)
	}
	if calls, want := counter.Counts(), map[string]int{"KMS.Encrypt": 1, "KMS.Decrypt": 1}; !maps.Equal(calls, want) {
		t.Errorf("Seal and Open made calls %v, want %v", calls, want)
	}

	// A sealed token does not open for any other session key, nor under
	// another KMS key, nor when altered.
	others := []session.Key{
		{Site: k.Site, UserID: "u2"},
		{Site: "https://other.example.com", UserID: k.UserID},
		{Site: k.Site + "u", UserID: "1"},
		{Site: k.UserID, UserID: k.Site},
	}
	for _, o := range others {
		if _, err := sealer.Open(ctx, o, sealed); err == nil {
			t.Errorf("token sealed for %+v opened for %+v", k, o)
		}
	}
	if _, err := otherKey.Open(ctx, k, sealed); err == nil {
		t.Error("token sealed under one KMS key opened under another")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := sealer.Open(ctx, k, tampered); err == nil {
		t.Error("altered sealed token opened")
	}
}

func TestSealRejectsSizesKMSCannotTake(t *testing.T) {
	cfg := awstest.Config(t)
	sealer := kms.New(kmsapi.NewFromConfig(cfg), awstest.KMSKey(t, cfg))
	k := session.Key{Site: "https://chat.example.com", UserID: "u1"}
	for _, n := range []int{0, 4097} {
		if _, err := sealer.Seal(t.Context(), k, make([]byte, n)); err == nil {
			t.Errorf("Seal of %d bytes succeeded", n)
		}
	}
	if _, err := sealer.Seal(t.Context(), k, bytes.Repeat([]byte{0xff}, 4096)); err != nil {
		t.Errorf("Seal of 4096 bytes: %v", err)
	}
}
