// Package dynamodb implements session.Store on one DynamoDB table.
//
// # Key design
//
// The table has a partition key only, pk (String). Every record is one item,
// found by a key that says what it is:
//
//	link#<id>                                  a login link
//	msg#<site>#<user id>#<message id>          the link made for a user's Rocket.Chat message, a
//	                                           full copy of it, so a re-delivered message gets
//	                                           the same link back (CreateLink is idempotent);
//	                                           the user is in the key so that no message id
//	                                           returns another user's link
//	quota#<site>#<user id>#<window start>      how many links the user made in the window
//	                                           (Unix seconds of its start; see session.LinkQuota)
//	state#<state>                              an OAuth authorization in flight (session.Pending)
//	session#<site>#<user id>                   the live session of a user, with its generation
//	retired#<site>#<user id>#<generation>      a session that ended, kept until its token is revoked
//	claim#<SHA-256 of site, user, message id>  the issue creation of a Rocket.Chat message
//	                                           (chatops.Claims, claims.go), expiring at its Expires
//
// Each component is escaped ('%' as %25, '#' as %23) so that no site or id can
// make two keys collide.
//
// # Expiry
//
// expires_at (Number, epoch seconds) is the table's TTL attribute. Links and
// pending authorizations expire at their Expires time. Live and retired
// sessions expire 400 days after their Ends time: that is only a backstop for
// records the service failed to delete; revocations are retried until GitHub
// confirms them, and after a year GitHub has revoked an unused OAuth token
// itself, so TTL never deletes a token that still has to be revoked. DynamoDB deletes expired items lazily (typically within two
// days), so reads never trust TTL: the service checks Expires and Ends itself.
//
// # Encoding and consistency
//
// Times are RFC 3339 strings with nanoseconds (UTC), tokens and hashes Binary,
// generations Numbers. Links, pending authorizations and sessions carry the
// trigger word the user typed in trigger (String), absent when empty: items
// written before it was kept decode with "", and the edge then names the first
// configured word; an older binary ignores the attribute, and drops it when it
// rewrites the item, with the same fallback. UpdateToken leaves it untouched. Every read is strongly consistent, and every write that
// must not lose a race is conditional: CreateLink and the session writes use
// condition expressions (and transactions where two items change together),
// and TakeLink/TakePending delete with attribute_exists(pk), so only one caller
// gets the record.
package dynamodb
