package dynamodb

import "rcgithub/shared/session"

// ClaimKey is the partition key of the issue claim of a message.
func ClaimKey(k session.Key, messageID string) string { return claimKey(k, messageID) }
