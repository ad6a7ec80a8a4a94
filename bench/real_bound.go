package main

import "time"

// pieces are the parts of a rebuild with data, each measured on its own
// (by the run-all comparison, in the same repetition, and by the latency
// proxy for the cloud's waits), from which the lower bound is computed.
type pieces struct {
	bucket   time.Duration // state bucket: create and harden (S3 calls)
	lock     time.Duration // lock table: CreateTable until the cloud reports it ACTIVE
	registry time.Duration // the ECR repository
	restore  time.Duration // DynamoDB restore: the call until the cloud reports the table ACTIVE
	imp      time.Duration // `terraform import` of the restored table into shared's state
	s3       time.Duration // the S3 restore: the objects copied into the bucket shared made
	init     map[string]time.Duration
	apply    map[string]time.Duration
}

// lowerBound is the longest chain of the measured pieces along the true
// data dependencies, with everything that may run at once running at
// once (and no CPU limit):
//
//   - bucket, lock table, registry and the restore call start at 0: none
//     needs another (the restore needs only its source and a table name);
//   - every stack's init needs the bucket (the backend);
//   - the import needs shared's init, the lock table (it locks the state)
//     and the restored table ACTIVE;
//   - shared's apply needs the import; the S3 restore needs shared's
//     apply (shared creates the bucket it fills);
//   - blue and green apply after shared (and their own init); link after
//     blue and green (and its init);
//   - the registry is needed by no stack.
//
// It returns the bound and the end of each node, for the report.
func lowerBound(p pieces) (time.Duration, map[string]time.Duration) {
	end := map[string]time.Duration{
		"bucket": p.bucket, "lock": p.lock, "registry": p.registry, "restore": p.restore,
	}
	for _, s := range stackNames {
		end["init."+s] = end["bucket"] + p.init[s]
	}
	end["import"] = max(end["init.shared"], end["lock"], end["restore"]) + p.imp
	end["apply.shared"] = max(end["import"], end["lock"]) + p.apply["shared"]
	end["s3"] = end["apply.shared"] + p.s3
	for _, s := range []string{"blue", "green"} {
		end["apply."+s] = max(end["apply.shared"], end["init."+s]) + p.apply[s]
	}
	end["apply.link"] = max(end["apply.blue"], end["apply.green"], end["init.link"]) + p.apply["link"]
	var total time.Duration
	for _, e := range end {
		total = max(total, e)
	}
	return total, end
}
