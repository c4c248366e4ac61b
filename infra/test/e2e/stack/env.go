package stack

// Function is one AWS::Serverless::Function of template.yaml.
type Function struct {
	// Name is the directory of its main under functions/, and the suffix of
	// its FunctionName (${AWS::StackName}-<name>).
	Name string
	// Timeout is the function's Timeout in seconds.
	Timeout string
}

// The template's functions, with their timeouts; every one has MemorySize 128.
var (
	Webhook  = Function{Name: "webhook", Timeout: "18"}
	Callback = Function{Name: "callback", Timeout: "45"}
	Logout   = Function{Name: "logout", Timeout: "30"}
	Commands = Function{Name: "commands", Timeout: "60"}
)

// Functions lists them in the template's order.
var Functions = []Function{Webhook, Callback, Logout, Commands}

// Parameters are the template's parameters that reach the functions'
// environment. Defaults gives the template's defaults.
type Parameters struct {
	PublicURL              string
	GitHubClientID         string
	GitHubURL              string
	GitHubAPIURL           string
	GitHubScopes           string
	GitHubExtraScopes      string
	RocketChatTriggerWords string
	SessionTTL             string
}

// Defaults returns the template's default parameters. PublicURL is what the
// template makes of an empty PublicUrl: the HTTP API's execute-api URL.
func Defaults() Parameters {
	return Parameters{
		PublicURL:              "https://e2eapi0001.execute-api." + Region + ".amazonaws.com",
		GitHubURL:              "https://github.com",
		GitHubAPIURL:           "https://api.github.com",
		GitHubScopes:           "read:user",
		GitHubExtraScopes:      "public_repo,repo",
		RocketChatTriggerWords: "/github,/gh,!github",
		SessionTTL:             "168h",
	}
}

// FunctionName is the function's FunctionName in the template.
func (s *Stack) FunctionName(fn Function) string { return s.Name + "-" + fn.Name }

// LogoutFunctionARN is LOGOUT_FUNCTION_ARN as the template builds it.
func (s *Stack) LogoutFunctionARN() string {
	return "arn:aws:lambda:" + Region + ":" + AccountID + ":function:" + s.FunctionName(Logout)
}

// SchedulerRoleARN stands for the SchedulerRole's ARN (moto checks no role).
func (s *Stack) SchedulerRoleARN() string {
	return "arn:aws:iam::" + AccountID + ":role/" + s.Name + "-SchedulerRole"
}

// Env is the whole environment of fn as Lambda would give it: the template's
// Globals.Function.Environment.Variables, what Lambda itself sets (region,
// the function's name, memory and timeout, the JSON log format the template
// asks for, credentials), and AWS_ENDPOINT_URL, which points every SDK
// client at moto.
func (s *Stack) Env(fn Function, p Parameters) []string {
	return []string{
		// template.yaml, Globals.Function.Environment.Variables
		"PUBLIC_URL=" + p.PublicURL,
		"GITHUB_CLIENT_ID=" + p.GitHubClientID,
		"GITHUB_URL=" + p.GitHubURL,
		"GITHUB_API_URL=" + p.GitHubAPIURL,
		"GITHUB_SCOPES=" + p.GitHubScopes,
		"GITHUB_EXTRA_SCOPES=" + p.GitHubExtraScopes,
		"ROCKETCHAT_TRIGGER_WORDS=" + p.RocketChatTriggerWords,
		"SESSION_TTL=" + p.SessionTTL,
		"TOKENS_TABLE=" + s.Table,
		"SCHEDULE_GROUP=" + s.ScheduleGroup,
		"LOGOUT_FUNCTION_ARN=" + s.LogoutFunctionARN(),
		"SCHEDULER_ROLE_ARN=" + s.SchedulerRoleARN(),
		"LOGOUT_DLQ_ARN=" + s.DeadLetterQueueARN,
		"TOKEN_KMS_KEY_ID=" + s.KeyARN,
		"SECRETS_ARN=" + s.SecretARN,
		"EVENT_BUS_NAME=" + s.EventBus,
		"COMMANDS_QUEUE_URL=" + s.CommandsQueueURL,
		// Set by Lambda.
		"AWS_REGION=" + Region,
		"AWS_DEFAULT_REGION=" + Region,
		"AWS_LAMBDA_FUNCTION_NAME=" + s.FunctionName(fn),
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + fn.Timeout,
		"AWS_LAMBDA_LOG_FORMAT=JSON",
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_SESSION_TOKEN=testing",
		"TZ=:UTC",
		// The only difference from AWS: every SDK client goes to moto.
		"AWS_ENDPOINT_URL=" + s.Endpoint,
	}
}
