package latency

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Op is one AWS call as the proxy names it.
type Op struct {
	Service string // the SigV4 scope's service: s3, dynamodb, ssm, ecr, sts, iam
	Name    string // the API operation: CreateBucket, DescribeTable, ...
	// Table is the DynamoDB table the call names (TableName, or
	// TargetTableName of a restore); empty for other services.
	Table string
}

// Key is "service.Name", the form delays are configured in.
func (o Op) Key() string { return o.Service + "." + o.Name }

// Classify names the call r, whose body is body (already read).
func Classify(r *http.Request, body []byte) Op {
	op := Op{Service: scopeService(r.Header.Get("Authorization"))}
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		// DynamoDB_20120810.DescribeTable, AmazonSSM.GetParameter,
		// AmazonEC2ContainerRegistry_V20150921.CreateRepository
		_, op.Name, _ = strings.Cut(t, ".")
		if op.Service == "" {
			op.Service = targetService(t)
		}
		if op.Service == "dynamodb" {
			op.Table = tableName(body)
		}
		return op
	}
	if op.Service == "s3" {
		op.Name = s3Op(r)
		return op
	}
	if a := queryAction(r, body); a != "" {
		op.Name = a
		return op
	}
	op.Name = r.Method
	if op.Service == "" {
		op.Service = "unknown"
	}
	return op
}

// scopeService reads SERVICE from "AWS4-HMAC-SHA256
// Credential=AK/DATE/REGION/SERVICE/aws4_request, SignedHeaders=...".
func scopeService(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return ""
	}
	return parts[3]
}

func targetService(target string) string {
	switch {
	case strings.HasPrefix(target, "DynamoDB_"):
		return "dynamodb"
	case strings.HasPrefix(target, "AmazonSSM"):
		return "ssm"
	case strings.HasPrefix(target, "AmazonEC2ContainerRegistry"):
		return "ecr"
	}
	return "unknown"
}

func tableName(body []byte) string {
	var v struct{ TableName, TargetTableName string }
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	if v.TargetTableName != "" {
		return v.TargetTableName
	}
	return v.TableName
}

// queryAction is the Action of a query API call (STS, IAM): in the URL or
// in a form-encoded body.
func queryAction(r *http.Request, body []byte) string {
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if q, err := url.ParseQuery(string(body)); err == nil {
			return q.Get("Action")
		}
	}
	return ""
}

// s3Op names an S3 call from its method and path-style URL: /bucket or
// /bucket/key, with a sub-resource query (?versioning, ?tagging, ...) for
// bucket settings. CreateBucket is PUT /bucket with no key and no query.
func s3Op(r *http.Request) string {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	sub := ""
	for _, s := range []string{"versioning", "tagging", "encryption", "publicAccessBlock", "policy", "acl", "lifecycle", "location", "versions", "uploads", "ownershipControls", "logging", "replication", "cors", "website", "object-lock", "delete"} {
		if q.Has(s) {
			sub = s
			break
		}
	}
	if bucket == "" {
		return map[bool]string{true: "ListBuckets", false: r.Method}[r.Method == http.MethodGet]
	}
	if key != "" {
		switch r.Method {
		case http.MethodPut:
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return "CopyObject"
			}
			if sub == "tagging" {
				return "PutObjectTagging"
			}
			return "PutObject"
		case http.MethodGet:
			if sub == "tagging" {
				return "GetObjectTagging"
			}
			return "GetObject"
		case http.MethodHead:
			return "HeadObject"
		case http.MethodDelete:
			return "DeleteObject"
		}
		return r.Method + "Object"
	}
	return bucketOp(r.Method, sub, q)
}

func bucketOp(method, sub string, q url.Values) string {
	verb := map[string]string{http.MethodPut: "Put", http.MethodGet: "Get", http.MethodDelete: "Delete", http.MethodHead: "Head", http.MethodPost: "Post"}[method]
	switch {
	case sub == "" && method == http.MethodPut && len(q) == 0:
		return "CreateBucket"
	case sub == "" && method == http.MethodHead:
		return "HeadBucket"
	case sub == "" && method == http.MethodDelete:
		return "DeleteBucket"
	case sub == "" && method == http.MethodGet:
		return "ListObjects"
	case sub == "versions":
		return "ListObjectVersions"
	case sub == "delete":
		return "DeleteObjects"
	case sub == "location":
		return "GetBucketLocation"
	case sub == "uploads":
		return "ListMultipartUploads"
	case sub == "":
		return verb + "Bucket"
	}
	return verb + "Bucket" + strings.ToUpper(sub[:1]) + sub[1:]
}
