package bolt

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	bbolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// One group of writes: a function that fails gets its own error back, run
// alone, and rolls back nothing of the others, which all commit.
func TestGroupCommitKeepsEachWritesOutcome(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	bucket := []byte("group-test")
	if err := db.bolt.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		t.Fatal(err)
	}
	errFails := errors.New("this write fails")
	tests := []struct {
		name    string
		fn      func(*bbolt.Tx) error
		wantErr string // "" for a committed write
	}{
		{name: "writes a", fn: func(tx *bbolt.Tx) error { return tx.Bucket(bucket).Put([]byte("a"), []byte("1")) }},
		{name: "fails", fn: func(tx *bbolt.Tx) error { _ = tx.Bucket(bucket).Put([]byte("f"), []byte("x")); return errFails }, wantErr: errFails.Error()},
		{name: "writes b", fn: func(tx *bbolt.Tx) error { return tx.Bucket(bucket).Put([]byte("b"), []byte("2")) }},
		{name: "writes c", fn: func(tx *bbolt.Tx) error { return tx.Bucket(bucket).Put([]byte("c"), []byte("3")) }},
	}
	db.commits.gatherAtLeast.Store(int32(len(tests))) // all in one group
	errs := make([]error, len(tests))
	var wg sync.WaitGroup
	for i, tt := range tests {
		wg.Go(func() { errs[i] = db.write(ctx, tt.fn) })
	}
	wg.Wait()
	db.commits.gatherAtLeast.Store(0)
	for i, tt := range tests {
		if tt.wantErr == "" && errs[i] != nil || tt.wantErr != "" && (errs[i] == nil || !strings.Contains(errs[i].Error(), tt.wantErr)) {
			t.Errorf("%s: error %v, want %q", tt.name, errs[i], tt.wantErr)
		}
	}
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		var got []string
		_ = tx.Bucket(bucket).ForEach(func(k, v []byte) error { got = append(got, fmt.Sprintf("%s=%s", k, v)); return nil })
		if strings.Join(got, " ") != "a=1 b=2 c=3" {
			return fmt.Errorf("stored %v, want a=1 b=2 c=3 (the failed writes rolled back, the others kept)", got)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// A write after Close is refused with bbolt's own error, and does not hang.
func TestGroupCommitAfterClose(t *testing.T) {
	db := openAt(t, t.TempDir()+"/data.db")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.write(context.Background(), func(*bbolt.Tx) error { return nil })
	if !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		t.Fatalf("write after Close: %v, want ErrDatabaseNotOpen", err)
	}
}
