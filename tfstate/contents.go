package tfstate

import (
	"encoding/json"
	"fmt"
)

// Bucket is one aws_s3_bucket instance in a state: its address and
// the bucket's name.
type Bucket struct {
	Address, Name string
}

// Contents is what a teardown reads of a state object: how many
// resources and outputs it holds, and its buckets.
type Contents struct {
	Resources, Outputs int
	Buckets            []Bucket
}

// ParseContents reads a state document's Contents.
func ParseContents(body []byte) (Contents, error) {
	var st struct {
		Outputs   map[string]json.RawMessage `json:"outputs"`
		Resources []struct {
			Module    string `json:"module"`
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				IndexKey   any            `json:"index_key"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return Contents{}, err
	}
	out := Contents{Resources: len(st.Resources), Outputs: len(st.Outputs)}
	for _, r := range st.Resources {
		if r.Mode != "managed" || r.Type != "aws_s3_bucket" {
			continue
		}
		base := r.Type + "." + r.Name
		if r.Module != "" {
			base = r.Module + "." + base
		}
		for _, in := range r.Instances {
			addr := base
			switch k := in.IndexKey.(type) {
			case float64:
				addr += fmt.Sprintf("[%d]", int(k))
			case string:
				addr += fmt.Sprintf("[%q]", k)
			}
			name, _ := in.Attributes["bucket"].(string)
			if name == "" {
				name, _ = in.Attributes["id"].(string)
			}
			if name != "" {
				out.Buckets = append(out.Buckets, Bucket{Address: addr, Name: name})
			}
		}
	}
	return out, nil
}

// Check says what is wrong with a state object's body, nil when it is a
// Terraform state (JSON with a format version and a lineage): a state
// overwritten by hand, truncated or planted is refused before any engine
// reads it.
func Check(body []byte) error {
	var st struct {
		Version *int   `json:"version"`
		Lineage string `json:"lineage"`
	}
	if err := json.Unmarshal(body, &st); err != nil {
		return fmt.Errorf("not JSON (%d bytes): %v", len(body), err)
	}
	if st.Version == nil || *st.Version < 3 || st.Lineage == "" {
		return fmt.Errorf("JSON, but not a Terraform state (no format version or lineage)")
	}
	return nil
}
