package main

// The limits the simulated load is set against, and the list prices it is
// costed at. Each carries the page it was read from and the date it was
// read: quotas and prices change, and the report must say which it used.

// limit is a rate the deployment may not exceed without a quota increase
// or a design change.
type limit struct {
	what   string
	value  float64 // in unit
	unit   string  // "per second", "per hour", "per minute", "concurrent"
	source string
	read   string // the date it was read
	note   string
}

const readOn = "2026-12-02"

var (
	// Rocket.Chat's API rate limiter covers /hooks: 10 calls per 60 s per
	// IP and route by default (API_Enable_Rate_Limiter_Limit_Calls_Default,
	// API_Enable_Rate_Limiter_Limit_Time_Default); shared/rocketchattest's
	// Incoming models it. A "Post as" user with api-bypass-rate-limit (the
	// bot role has it) is not limited: the README's setup.
	limitRocketChatHook = limit{"Rocket.Chat incoming webhook (default API rate limiter)", 10, "per minute",
		"RocketChat/Rocket.Chat apps/meteor/server/settings/rate.ts (commit 85f6fa3: API_Enable_Rate_Limiter_Limit_Calls_Default 10, API_Enable_Rate_Limiter_Limit_Time_Default 60000 ms); modelled by shared/rocketchattest/incoming.go",
		readOn, "per hook; lifted by a Post-as user with api-bypass-rate-limit, as the README's setup does"}
	// GitHub's REST API: an OAuth app calling with its client ID and secret
	// (the token revocation, DELETE /applications/{client_id}/token) has a
	// primary rate limit of its own.
	limitGitHubApp = limit{"GitHub REST, OAuth app's client-credential calls (token revocations)", 5000, "per hour",
		"https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api (primary rate limit for OAuth apps: 5,000 requests per hour; 15,000 if owned by a GitHub Enterprise Cloud organization)",
		readOn, "one budget for the whole deployment, whatever the number of users"}
	// GitHub's OAuth token endpoint for OAuth apps.
	limitGitHubTokens = limit{"GitHub OAuth, access-token requests (code exchanges)", 2000, "per hour",
		"https://docs.github.com/en/enterprise-server@3.19/apps/oauth-apps/building-oauth-apps/rate-limits-for-oauth-apps (warning: OAuth apps are subject to 2,000 access token requests per hour)",
		readOn, "stated in the GitHub Enterprise Server 3.19 docs; github.com's page of the same name does not state a figure"}
	// EventBridge Scheduler's quotas (us-east-1 and the other large Regions).
	limitSchedulerCreate = limit{"EventBridge Scheduler CreateSchedule", 5000, "per second",
		"https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html (CreateSchedule request rate 5,000 in the large Regions, 250 elsewhere; older copies say 1,000)",
		readOn, "adjustable"}
	limitSchedulerDelete = limit{"EventBridge Scheduler DeleteSchedule", 1000, "per second",
		"https://docs.aws.amazon.com/zh_cn/scheduler/latest/UserGuide/scheduler-quotas.html (DeleteSchedule request rate 1,000 in the large Regions, 250 elsewhere; the English page's copy read was cut before this row)",
		readOn, "adjustable; the lower figure is used"}
	limitSchedulerInvoke = limit{"EventBridge Scheduler invocations", 1000, "per second",
		"https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html (invocations throttle limit 1,000 per second in the large Regions)",
		readOn, "adjustable; late invocations are retried, not lost"}
	limitSchedules = limit{"EventBridge Scheduler schedules", 10_000_000, "schedules",
		"https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html (number of schedules 10,000,000 per Region)",
		readOn, "adjustable"}
	limitKMS = limit{"KMS cryptographic operations (symmetric), shared", 10000, "per second",
		"https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html (Cryptographic operations (symmetric) request rate: 10,000 shared, 20,000 or more in some Regions)",
		readOn, "shared by every KMS key and caller of the account in the Region"}
	limitLambda = limit{"Lambda concurrent executions", 1000, "concurrent",
		"https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (concurrent executions: 1,000 per Region by default; new accounts get less)",
		readOn, "the account's pool, shared by every function"}
)

// price is a list price, us-east-1, without free tiers.
type price struct {
	what   string
	usd    float64
	per    string
	source string
}

// prices, read on readOn (us-east-1, on-demand, no free tier, no savings
// plans). The pricing pages render their tables in the browser; the figures
// are those pages' us-east-1 rows.
var (
	priceHTTPAPI        = price{"API Gateway HTTP API requests", 1.00, "million requests (first 300 million a month)", "https://aws.amazon.com/api-gateway/pricing/"}
	priceLambdaRequests = price{"Lambda requests", 0.20, "million requests", "https://aws.amazon.com/lambda/pricing/"}
	priceLambdaArm      = price{"Lambda duration, arm64", 0.0000133334, "GB-second", "https://aws.amazon.com/lambda/pricing/"}
	priceDynamoWrite    = price{"DynamoDB on-demand write request units", 0.625, "million WRU", "https://aws.amazon.com/dynamodb/pricing/on-demand/"}
	priceDynamoRead     = price{"DynamoDB on-demand read request units", 0.125, "million RRU", "https://aws.amazon.com/dynamodb/pricing/on-demand/"}
	priceDynamoStorage  = price{"DynamoDB storage (Standard table class)", 0.25, "GB-month", "https://aws.amazon.com/dynamodb/pricing/on-demand/"}
	priceScheduler      = price{"EventBridge Scheduler invocations", 1.00, "million invocations (14 million free a month not counted)", "https://aws.amazon.com/eventbridge/pricing/"}
	priceKMSRequests    = price{"KMS requests", 0.03, "10,000 requests", "https://aws.amazon.com/kms/pricing/"}
	priceKMSKey         = price{"KMS customer managed key", 1.00, "key-month", "https://aws.amazon.com/kms/pricing/"}
	priceSecret         = price{"Secrets Manager secret", 0.40, "secret-month", "https://aws.amazon.com/secrets-manager/pricing/"}
	priceSecretCalls    = price{"Secrets Manager API calls", 0.05, "10,000 calls", "https://aws.amazon.com/secrets-manager/pricing/"}
	priceLogsIngest     = price{"CloudWatch Logs ingestion (Standard)", 0.50, "GB", "https://aws.amazon.com/cloudwatch/pricing/"}
	priceLogsStore      = price{"CloudWatch Logs storage", 0.03, "GB-month", "https://aws.amazon.com/cloudwatch/pricing/"}
)
