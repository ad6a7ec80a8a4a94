package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// #11.3: the checkpoint keeps no plain SHA-256 of a sensitive output (a
// short secret would be guessed from it): its hashes are keyed with a
// per-target key in a 0600 file beside it.
func TestCheckpointHashesAreKeyed(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, "hashkey")
	tg.write(`
stack "base" {
  source = "{{stacks}}/base"
  inputs = { name = "core" }
}
`)
	wantCode(t, tg.run("apply", "--yes"), 0)
	token := sha256hex("core-token") // base's sensitive output
	text := tg.checkpointText()
	for _, plain := range []string{sha256hex(strconv.Quote(token)), sha256hex(token), token} {
		if strings.Contains(text, plain) {
			t.Errorf("the checkpoint holds the token or a plain hash of it (%s):\n%s", plain, text)
		}
	}
	if !strings.Contains(text, `"token": "hmac-sha256:`) {
		t.Errorf("the token's hash is not keyed:\n%s", text)
	}
	info, err := os.Stat(filepath.Join(tg.dir, ".tfrebuild", "checkpoint.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("checkpoint.key: %v %v", info, err)
	}
}
