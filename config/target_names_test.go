package config

import (
	"strings"
	"testing"
)

func TestTargetIDIsTagSafe(t *testing.T) {
	t.Parallel()
	cfg := &Config{Project: "orders api", Filename: "/home/alice/infra/dr (copy).hcl", Target: Target{AccountID: "123456789012", Region: "eu-west-1"}}
	if got, want := cfg.TargetID(), "123456789012/eu-west-1/orders_api/dr__copy_.hcl"; got != want {
		t.Errorf("TargetID = %q, want %q", got, want)
	}
	cfg.Filename = ""
	if got := cfg.TargetID(); !strings.HasSuffix(got, "/rebuild.hcl") {
		t.Errorf("without a file name: %q", got)
	}
}

func TestRestoreNamesByBlockOrResource(t *testing.T) {
	t.Parallel()
	cfg := &Config{Filename: "rebuild.hcl", Restores: []*Restore{
		{Name: "orders", Kind: RestoreDynamoDB, DynamoDBTable: "orders-table"},
		{Name: "uploads", Kind: RestoreS3, S3Bucket: "uploads-bucket"},
	}}
	got, err := cfg.RestoreNames("--restore", []string{"orders", "uploads-bucket"})
	if err != nil || len(got) != 2 || !got["orders"] || !got["uploads"] {
		t.Errorf("RestoreNames = %v, %v", got, err)
	}
	_, err = cfg.RestoreNames("--accept-existing", []string{"payments"})
	if err == nil || !strings.Contains(err.Error(), "--accept-existing payments: no restore block of rebuild.hcl restores that; restores: orders (orders-table), uploads (uploads-bucket)") {
		t.Errorf("an unknown name: %v", err)
	}
	if _, err := (&Config{Filename: "x.hcl"}).RestoreNames("--restore", []string{"a"}); err == nil || !strings.Contains(err.Error(), "restores: none") {
		t.Errorf("no restore blocks: %v", err)
	}
}

func TestUpstreamOfIsTransitiveAndOutsideTheList(t *testing.T) {
	t.Parallel()
	base := &Stack{Name: "base"}
	blue := &Stack{Name: "blue", DependsOn: []Ref{{Kind: "stack", Name: "base"}}}
	green := &Stack{Name: "green", DependsOn: []Ref{{Kind: "stack", Name: "base"}}}
	link := &Stack{Name: "link", DependsOn: []Ref{{Kind: "stack", Name: "blue"}, {Kind: "stack", Name: "green"}}}
	cfg := &Config{Stacks: []*Stack{base, blue, green, link}}
	var names []string
	for _, st := range cfg.UpstreamOf([]*Stack{link, green}) {
		names = append(names, st.Name)
	}
	if got := strings.Join(names, ","); got != "blue,base" {
		t.Errorf("UpstreamOf(link, green) = %s, want blue,base", got)
	}
}

func TestRestoreStagesOfDestroyedStacks(t *testing.T) {
	t.Parallel()
	cfg := &Config{Restores: []*Restore{{Name: "orders", Stack: "data", Kind: RestoreDynamoDB}, {Name: "uploads", Stack: "files", Kind: RestoreS3},
		{Name: "assets", Stack: "data", Kind: RestoreS3}}}
	if got := strings.Join(cfg.RestoreStagesOf(map[string]bool{"stack.data": true}), ","); got != "restore.orders,import.orders,restore.assets" {
		t.Errorf("RestoreStagesOf = %v", got)
	}
}
