//! The route table in `shared/src/api/routes.rs` is the one source of
//! truth: the deployable template and the OpenAPI description must serve
//! and describe exactly its routes.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_yaml_ng::Value;
use shared::api::routes::{Function, ROUTES};

fn read_yaml(relative: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(relative);
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn table_routes() -> BTreeSet<(String, String, String)> {
    ROUTES.iter().map(|r| (r.function.name().to_owned(), r.method.to_owned(), r.path.to_owned())).collect()
}

/// The HTTP API's OpenAPI body (the routes, as the template deploys them).
fn api_body(template: &Value) -> &Value {
    &template["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]
}

/// `(function, method, path, operation)` of every operation of the body,
/// the function read from the integration the operation refers to; the
/// `$default` route is `("…", "ANY", "$default")`.
fn body_operations(template: &Value) -> Vec<(String, String, String, &Value)> {
    let body = api_body(template);
    let integrations = &body["components"]["x-amazon-apigateway-integrations"];
    let mut operations = Vec::new();
    for (path, item) in body["paths"].as_mapping().unwrap() {
        for (method, operation) in item.as_mapping().unwrap() {
            let reference = operation["x-amazon-apigateway-integration"]["$ref"].as_str().unwrap();
            let name = reference.strip_prefix("#/components/x-amazon-apigateway-integrations/").unwrap();
            let uri = sub_text(&integrations[name]["uri"]).unwrap_or_else(|| panic!("integration {name}"));
            let function = uri.split("function:${AWS::StackName}-").nth(1).unwrap().trim_end_matches("/invocations");
            assert_eq!(name, function, "an integration is named after its function");
            let (method, path) = match method.as_str().unwrap() {
                "x-amazon-apigateway-any-method" => ("ANY".to_owned(), path.as_str().unwrap().to_owned()),
                method => (method.to_uppercase(), path.as_str().unwrap().to_owned()),
            };
            operations.push((function.to_owned(), method, path, operation));
        }
    }
    operations
}

#[test]
fn the_template_routes_every_route_to_its_function_and_nothing_else() {
    let template = read_yaml("infra/template.yaml");
    let mut functions = BTreeSet::new();
    for (name, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"] != "AWS::Serverless::Function" {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .expect("each function names its binary")
            .to_owned();
        assert_deployed_as_built_alone(name.as_str().unwrap(), resource, &binary);
        functions.insert(binary.clone());
    }
    let operations = body_operations(&template);
    let deployed: BTreeSet<(String, String, String)> = operations
        .iter()
        .filter(|(_, _, path, _)| path != "/$default")
        .map(|(function, method, path, _)| (function.clone(), method.clone(), path.clone()))
        .collect();
    assert_eq!(deployed, table_routes());
    let mut expected: BTreeSet<String> = Function::ALL.iter().map(|f| f.name().to_owned()).collect();
    expected.extend(shared::lambda::SCHEDULED.iter().map(|f| f.name.to_string()));
    expected.insert(shared::lambda::UNMATCHED.to_owned());
    expected.insert(shared::lambda::EMAIL_EVENTS.to_owned());
    assert_eq!(functions, expected);
}

/// API Gateway's `$default` route catches whatever no route matched: it goes
/// to `unmatched`, which answers problem JSON (tests/api/problems.rs).
#[test]
fn what_no_route_matches_goes_to_the_unmatched_function() {
    let template = read_yaml("infra/template.yaml");
    let defaults: Vec<_> =
        body_operations(&template).into_iter().filter(|(_, _, path, _)| path == "/$default").collect();
    assert_eq!(defaults.len(), 1);
    let (function, method, _, operation) = &defaults[0];
    assert_eq!((function.as_str(), method.as_str()), (shared::lambda::UNMATCHED, "ANY"));
    assert_eq!(operation["isDefaultRoute"], true);
    assert!(operation.get("security").is_none(), "anyone may be told a route does not exist");
}

/// The body names each function by `FunctionName` (so that the API does
/// not depend on the functions, whose ACCOUNTS_PUBLIC_URL depends on the
/// distribution in front of the API), and each may be invoked by this API.
#[test]
fn every_function_the_api_names_is_named_so_and_may_be_invoked_by_it() {
    let template = read_yaml("infra/template.yaml");
    let named: BTreeSet<String> = body_operations(&template).into_iter().map(|(function, ..)| function).collect();
    for (logical_id, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        let binary = function["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let name = sub_text(&function["Properties"]["FunctionName"]);
        if !named.contains(binary) {
            assert_eq!(name, None, "{binary} serves no route");
            continue;
        }
        assert_eq!(name, Some(format!("${{AWS::StackName}}-{binary}").as_str()), "{logical_id}");
        let permission = &resource(&template, &format!("{logical_id}Permission"))["Properties"];
        assert_eq!(ref_target(&permission["FunctionName"]), Some(logical_id));
        assert_eq!(permission["Principal"], "apigateway.amazonaws.com");
        assert_eq!(permission["Action"], "lambda:InvokeFunction");
        assert!(sub_text(&permission["SourceArn"]).unwrap().contains(":${HttpApi}/"), "{logical_id}: this API only");
    }
}

/// A function is built by the root `Makefile` (`sam build` runs
/// `make build-<LogicalId>`), whose rule builds the package its logical id
/// names (`SignUpFunction` → `sign-up`) on its own, through
/// `scripts/build-lambdas --package`.
fn assert_deployed_as_built_alone(logical_id: &str, resource: &Value, binary: &str) {
    assert_eq!(resource["Metadata"]["BuildMethod"], "makefile", "{binary}");
    let pascal: String = binary.split('-').map(|word| word[..1].to_uppercase() + &word[1..]).collect();
    assert_eq!(logical_id, format!("{pascal}Function"), "the Makefile's rule finds {binary} by its logical id");
    let makefile = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../Makefile")).unwrap();
    assert!(makefile.contains("build-%Function:") && makefile.contains("scripts/build-lambdas --package"));
}

#[test]
fn every_function_crate_exists() {
    for function in Function::ALL {
        let main =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../functions").join(function.name()).join("src/main.rs");
        let source = std::fs::read_to_string(&main).unwrap_or_else(|_| panic!("{} missing", main.display()));
        // It serves its own entry, and so links only its own handlers.
        let entry = format!("functions::{}", function.name().replace('-', "_").to_uppercase());
        assert!(source.contains(&format!("run(&{entry})")), "{} runs another function", main.display());
    }
}

#[test]
fn openapi_describes_exactly_the_routes_plus_the_dev_routes() {
    let spec = read_yaml("openapi.yaml");
    let mut described = BTreeSet::new();
    let mut dev = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        let path = path.as_str().unwrap().to_owned();
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap().to_uppercase();
            if path.starts_with("/_dev/") {
                dev.insert((method, path.clone()));
            } else {
                described.insert((method, path.clone()));
            }
        }
    }
    let routes: BTreeSet<(String, String)> = ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned())).collect();
    assert_eq!(described, routes);
    let expected_dev: BTreeSet<(String, String)> = [("GET", "/_dev/outbox"), ("POST", "/_dev/clock")]
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(dev, expected_dev);
}

fn resources_of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a str, &'a Value)> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(name, r)| (name.as_str().unwrap(), r))
        .collect()
}

/// The target of a `!Ref`, if `value` is one.
fn ref_target(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        _ => None,
    }
}

#[test]
fn the_template_table_is_the_one_accounts_dev_creates() {
    use shared::provision::{BILLING_MODE, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE};
    let template = read_yaml("infra/template.yaml");
    let tables = resources_of_type(&template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one table");
    let props = &tables[0].1["Properties"];
    assert_eq!(props["BillingMode"], BILLING_MODE);
    let keys: Vec<(&str, &str)> = props["KeySchema"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|k| (k["AttributeName"].as_str().unwrap(), k["KeyType"].as_str().unwrap()))
        .collect();
    assert_eq!(keys, [(PARTITION_KEY, "HASH"), (SORT_KEY, "RANGE")]);
    let attributes: Vec<(&str, &str)> = props["AttributeDefinitions"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| (a["AttributeName"].as_str().unwrap(), a["AttributeType"].as_str().unwrap()))
        .collect();
    assert_eq!(attributes, [(PARTITION_KEY, "S"), (SORT_KEY, "S")]);
    assert_eq!(props["TimeToLiveSpecification"]["AttributeName"], TTL_ATTRIBUTE);
    assert_eq!(props["TimeToLiveSpecification"]["Enabled"], true);
    assert_eq!(props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
}

#[test]
fn every_function_has_error_and_throttle_alarms() {
    let template = read_yaml("infra/template.yaml");
    let alarms = resources_of_type(&template, "AWS::CloudWatch::Alarm");
    for (function, _) in resources_of_type(&template, "AWS::Serverless::Function") {
        for metric in ["Errors", "Throttles"] {
            let found = alarms.iter().any(|(_, alarm)| {
                let props = &alarm["Properties"];
                props["MetricName"] == metric
                    && props["Dimensions"]
                        .as_sequence()
                        .into_iter()
                        .flatten()
                        .any(|d| ref_target(&d["Value"]) == Some(function))
            });
            assert!(found, "{function} has no {metric} alarm");
        }
    }
}

#[test]
fn function_policies_are_least_privilege() {
    let template = read_yaml("infra/template.yaml");
    for (function, resource) in resources_of_type(&template, "AWS::Serverless::Function") {
        for policy in resource["Properties"]["Policies"].as_sequence().into_iter().flatten() {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                let actions: Vec<&str> = match &statement["Action"] {
                    Value::String(a) => vec![a.as_str()],
                    Value::Sequence(list) => list.iter().filter_map(Value::as_str).collect(),
                    other => panic!("{function}: unexpected Action {other:?}"),
                };
                for action in &actions {
                    assert!(!action.contains('*'), "{function} grants a wildcard action {action}");
                }
                if actions.iter().any(|a| a.starts_with("dynamodb:")) {
                    let resource = format!("{:?}", statement["Resource"]);
                    assert!(resource.contains("Table.Arn"), "{function}: DynamoDB access beyond the table: {resource}");
                }
            }
        }
    }
}

#[test]
fn operator_routes_and_only_they_need_iam_auth() {
    use shared::api::routes::{Access, by_key};
    let template = read_yaml("infra/template.yaml");
    let scheme = &api_body(&template)["components"]["securitySchemes"]["sigv4"];
    assert_eq!(scheme["x-amazon-apigateway-authtype"], "awsSigv4");
    for (_, method, path, operation) in body_operations(&template) {
        if path == "/$default" {
            continue;
        }
        let key = format!("{method} {path}");
        let route = by_key(&key).unwrap_or_else(|| panic!("unknown route {key}"));
        let schemes: Vec<&Value> = operation["security"].as_sequence().into_iter().flatten().collect();
        let iam = schemes.len() == 1 && schemes[0]["sigv4"].is_sequence();
        assert_eq!(iam, route.access == Access::Operator, "{key}");
        assert!(iam || schemes.is_empty(), "{key}: no other authorizer");
    }
}

#[test]
fn every_abuse_limit_is_a_template_parameter_passed_to_every_function() {
    let template = read_yaml("infra/template.yaml");
    let env = &template["Globals"]["Function"]["Environment"]["Variables"];
    let config = shared::Config::from_lookup(|_| None).unwrap();
    for (var, parameter, default) in [
        ("ACCOUNTS_SMS_REGIONS", "SmsRegions", "CN".to_owned()),
        ("ACCOUNTS_SMS_DAILY_BUDGET", "SmsDailyBudget", config.sms_daily_budget.to_string()),
        ("ACCOUNTS_LIMIT_SMS_PER_IP_HOUR", "LimitSmsPerIpHour", config.limits.sms_per_ip_hour.to_string()),
        (
            "ACCOUNTS_LIMIT_SMS_PER_NETWORK_HOUR",
            "LimitSmsPerNetworkHour",
            config.limits.sms_per_network_hour.to_string(),
        ),
        ("ACCOUNTS_LIMIT_FORGOT_PER_IP_HOUR", "LimitForgotPerIpHour", config.limits.forgot_per_ip_hour.to_string()),
        ("ACCOUNTS_LIMIT_APPEALS_PER_IP_HOUR", "LimitAppealsPerIpHour", config.limits.appeals_per_ip_hour.to_string()),
    ] {
        assert_eq!(ref_target(&env[var]), Some(parameter), "{var}");
        let declared = &template["Parameters"][parameter]["Default"];
        let declared = declared.as_str().map(str::to_owned).or_else(|| declared.as_u64().map(|n| n.to_string()));
        assert_eq!(declared.as_deref(), Some(default.as_str()), "{parameter} defaults to the contract's figure");
    }
}

#[test]
fn unsubmitted_uploads_expire_and_submitted_copies_do_not() {
    let template = read_yaml("infra/template.yaml");
    let bucket = resource(&template, "MaterialsBucket");
    let rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"].as_sequence().unwrap();
    let expiring: Vec<&Value> = rules.iter().filter(|r| r.get("ExpirationInDays").is_some()).collect();
    assert_eq!(expiring.len(), 1, "one expiry rule");
    assert_eq!(expiring[0]["Prefix"], format!("{}/", shared::documents::UPLOADS).as_str());
    assert_eq!(expiring[0]["ExpirationInDays"], 1);
    assert_eq!(expiring[0]["Status"], "Enabled");
}

/// The text of a `!Sub`, if `value` is one.
fn sub_text(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Sub" => tagged.value.as_str(),
        _ => None,
    }
}

fn resource<'a>(template: &'a Value, name: &str) -> &'a Value {
    let found = &template["Resources"][name];
    assert!(found.is_mapping(), "the template has no {name}");
    found
}

/// The `/$default/METHOD/path` patterns a policy of the template allows
/// (`execute-api:Invoke` only).
fn invoke_patterns(template: &Value, policy: &str) -> Vec<String> {
    let statements = resource(template, policy)["Properties"]["PolicyDocument"]["Statement"].as_sequence().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Action"], "execute-api:Invoke");
    statements[0]["Resource"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| sub_text(r).unwrap().split("${HttpApi}").nth(1).unwrap().to_owned())
        .collect()
}

/// Whether an IAM resource glob matches: `*` is any run of characters.
fn glob_matches(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            text.starts_with(head) && (0..=text.len() - head.len()).any(|i| glob_matches(rest, &text[head.len() + i..]))
        }
    }
}

/// Asserts `policy` lets exactly the routes `granted` picks be invoked, and
/// is exported as `output`.
fn assert_policy_grants(policy: &str, output: &str, granted: impl Fn(&shared::api::routes::Route) -> bool) {
    let template = read_yaml("infra/template.yaml");
    let patterns = invoke_patterns(&template, policy);
    for route in ROUTES {
        let invoked = format!("/$default/{}{}", route.method, route.path.replace('{', "x").replace('}', ""));
        let allowed = patterns.iter().any(|p| glob_matches(p, &invoked));
        assert_eq!(allowed, granted(route), "{policy}: {} {}", route.method, route.path);
    }
    let exported = &template["Outputs"][output];
    assert_eq!(ref_target(&exported["Value"]), Some(policy));
    assert!(sub_text(&exported["Export"]["Name"]).is_some(), "exported for a console role to attach");
}

#[test]
fn the_deciders_policy_allows_exactly_the_operator_routes() {
    use shared::api::routes::Access;
    assert_policy_grants("OperatorsInvokePolicy", "OperatorsInvokePolicyArn", |route| route.access == Access::Operator);
}

#[test]
fn the_readers_policy_allows_exactly_the_operator_reads() {
    use shared::api::routes::Access;
    assert_policy_grants("OperatorsReadPolicy", "OperatorsReadPolicyArn", |route| {
        route.access == Access::Operator && route.method == "GET"
    });
}

#[test]
fn the_api_is_throttled_and_logs_no_token_or_personal_data() {
    let template = read_yaml("infra/template.yaml");
    let api = &resource(&template, "HttpApi")["Properties"];
    let throttle = &api["DefaultRouteSettings"];
    assert_eq!(ref_target(&throttle["ThrottlingRateLimit"]), Some("ApiRateLimit"));
    assert_eq!(ref_target(&throttle["ThrottlingBurstLimit"]), Some("ApiBurstLimit"));
    let format = api["AccessLogSettings"]["Format"].as_str().unwrap();
    assert!(format.contains("$context.routeKey") && format.contains("$context.status"));
    for personal in ["$context.path", "$context.identity", "$context.requestHeader", "querystring", "authorizer"] {
        assert!(!format.to_lowercase().contains(&personal.to_lowercase()), "the access log carries {personal}");
    }
    assert!(serde_json::from_str::<serde_json::Value>(format).is_ok(), "one JSON object per request");
}

/// The functions that hash passwords may reserve concurrency, so a flood of
/// sign-ins cannot starve the others — but only when asked: a reservation
/// needs an account quota of 9 × N + 100, and a new account's (10 or 50)
/// would roll the whole stack back.
#[test]
fn password_hashing_functions_reserve_concurrency_only_when_asked() {
    let template = read_yaml("infra/template.yaml");
    let parameter = &template["Parameters"]["HashingReservedConcurrency"];
    assert_eq!(parameter["Default"].as_str(), Some(""), "nothing reserved by default");
    let condition = tagged(&template["Conditions"]["ReservesConcurrency"], "Not").and_then(Value::as_sequence).unwrap();
    let equals = tagged(&condition[0], "Equals").and_then(Value::as_sequence).unwrap();
    assert_eq!((ref_target(&equals[0]), equals[1].as_str()), (Some("HashingReservedConcurrency"), Some("")));
    let mut hashing = BTreeSet::new();
    for (name, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        let props = &function["Properties"];
        let reserved = &props["ReservedConcurrentExecutions"];
        if ref_target(&props["MemorySize"]) == Some("HashingMemorySize") {
            hashing.insert(name.to_string());
            let choice = tagged(reserved, "If").and_then(Value::as_sequence).expect("reserved only if asked");
            assert_eq!(choice[0], "ReservesConcurrency", "{name}");
            assert_eq!(ref_target(&choice[1]), Some("HashingReservedConcurrency"), "{name}");
            assert_eq!(ref_target(&choice[2]), Some("AWS::NoValue"), "{name}");
        } else {
            assert!(reserved.is_null(), "{name} reserves nothing");
        }
    }
    // Those that verify or hash a password.
    let expected = [
        "SetPasswordFunction",
        "SessionsFunction",
        "ForgotPasswordFunction",
        "ChangePasswordFunction",
        "DeletionFunction",
        "SecurityFunction",
        "ContactDetailsFunction",
        "PasskeysFunction",
        "VerificationFunction",
        "SubAccountsFunction",
    ];
    assert_eq!(hashing, expected.iter().map(|n| n.to_string()).collect());
}

#[test]
fn every_function_logs_to_a_group_with_retention() {
    let template = read_yaml("infra/template.yaml");
    for (name, _) in resources_of_type(&template, "AWS::Serverless::Function") {
        let group = &resource(&template, &format!("{name}LogGroup"))["Properties"];
        assert_eq!(sub_text(&group["LogGroupName"]), Some(format!("/aws/lambda/${{{name}}}").as_str()));
        assert_eq!(ref_target(&group["RetentionInDays"]), Some("LogRetentionDays"));
    }
    let access = &resource(&template, "ApiAccessLogGroup")["Properties"];
    assert_eq!(ref_target(&access["RetentionInDays"]), Some("LogRetentionDays"));
}

#[test]
fn state_is_protected_and_materials_travel_over_tls_only() {
    let template = read_yaml("infra/template.yaml");
    assert_eq!(resource(&template, "Table")["Properties"]["DeletionProtectionEnabled"], true);
    let policy = &resource(&template, "MaterialsBucketPolicy")["Properties"];
    assert_eq!(ref_target(&policy["Bucket"]), Some("MaterialsBucket"));
    let statement = &policy["PolicyDocument"]["Statement"][0];
    assert_eq!((statement["Effect"].as_str(), statement["Action"].as_str()), (Some("Deny"), Some("s3:*")));
    assert_eq!(statement["Condition"]["Bool"]["aws:SecureTransport"], "false");
}

/// Every message is accounted for: email goes through the configuration
/// set, which suppresses hard bounces and complaints and publishes every
/// delivery, bounce, complaint and reject to the topic the email-events
/// function reads; alarms watch SES's review thresholds and refused sends.
#[test]
fn email_goes_through_a_configuration_set_whose_events_reach_the_trail() {
    let template = read_yaml("infra/template.yaml");
    let env = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(ref_target(&env["ACCOUNTS_SES_CONFIGURATION_SET"]), Some("EmailConfigurationSet"));
    let set = &resource(&template, "EmailConfigurationSet")["Properties"];
    let suppressed: BTreeSet<&str> = set["SuppressionOptions"]["SuppressedReasons"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(suppressed, BTreeSet::from(["BOUNCE", "COMPLAINT"]));
    let destination = &resource(&template, "EmailDeliveryEvents")["Properties"];
    assert_eq!(ref_target(&destination["ConfigurationSetName"]), Some("EmailConfigurationSet"));
    let events: BTreeSet<&str> = destination["EventDestination"]["MatchingEventTypes"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(events, BTreeSet::from(["delivery", "bounce", "complaint", "reject"]));
    assert_eq!(ref_target(&destination["EventDestination"]["SnsDestination"]["TopicARN"]), Some("EmailEventsTopic"));
    let function = &resource(&template, "EmailEventsFunction")["Properties"];
    assert_eq!(function["Events"]["EmailEvents"]["Type"], "SNS");
    assert_eq!(ref_target(&function["Events"]["EmailEvents"]["Properties"]["Topic"]), Some("EmailEventsTopic"));
    let threshold = |alarm: &str| resource(&template, alarm)["Properties"]["Threshold"].as_f64();
    assert_eq!(threshold("EmailBounceRateAlarm"), Some(0.05));
    assert_eq!(threshold("EmailComplaintRateAlarm"), Some(0.001));
    for (alarm, metric) in [("RefusedEmailsAlarm", "EmailsFailed"), ("RefusedSmsAlarm", "SmsFailed")] {
        assert_eq!(resource(&template, alarm)["Properties"]["MetricName"], metric);
    }
    for name in ["EmailsFailed", "SmsFailed", "EmailsDelivered", "EmailsBounced", "EmailsComplained"] {
        assert!(shared::metrics::Metric::NAMES.contains(&name), "{name} is written");
    }
    // Every message carries the sender's name, the SMS signature and origin.
    for (variable, parameter) in [
        ("ACCOUNTS_EMAIL_FROM", "EmailFrom"),
        ("ACCOUNTS_EMAIL_FROM_NAME", "EmailFromName"),
        ("ACCOUNTS_SMS_SIGNATURE", "SmsSignature"),
        ("ACCOUNTS_SMS_SENDER_ID", "SmsSenderId"),
        ("ACCOUNTS_SMS_ORIGINATION_NUMBER", "SmsOriginationNumber"),
    ] {
        assert_eq!(ref_target(&env[variable]), Some(parameter), "{variable}");
    }
}

/// A new account deploys with the template's defaults, and an example.com
/// sender (whose mail is never delivered) is refused before anything is made.
#[test]
fn the_sender_has_no_default_and_example_com_is_refused() {
    let template = read_yaml("infra/template.yaml");
    let sender = &template["Parameters"]["EmailFrom"];
    assert!(sender.get("Default").is_none(), "no default sender");
    let pattern = sender["AllowedPattern"].as_str().unwrap();
    assert!(pattern.contains("[Ee][Xx][Aa][Mm][Pp][Ll][Ee]"), "{pattern}");
    let rule = serde_yaml_ng::to_string(&template["Rules"]["SenderIsYours"]).unwrap();
    assert!(rule.contains("no-reply@example.com"), "{rule}");
    let spend = template["Parameters"]["SmsMonthlySpendAlarmUsd"]["Default"].as_f64().unwrap();
    assert!(spend < 1.0, "the spend alarm fires below a new account's $1 SNS limit: {spend}");
}

#[test]
fn operators_are_alarmed_on_sms_spend_and_on_many_429s() {
    let template = read_yaml("infra/template.yaml");
    let spend = &resource(&template, "SmsSpendAlarm")["Properties"];
    assert_eq!(
        (spend["Namespace"].as_str(), spend["MetricName"].as_str()),
        (Some("AWS/SNS"), Some("SMSMonthToDateSpentUSD"))
    );
    let filter = &resource(&template, "RateLimitedAnswersMetric")["Properties"];
    assert_eq!(ref_target(&filter["LogGroupName"]), Some("ApiAccessLogGroup"));
    assert!(filter["FilterPattern"].as_str().unwrap().contains("\"429\""));
    let metric = &filter["MetricTransformations"][0];
    let alarm = &resource(&template, "RateLimitedAlarm")["Properties"];
    assert_eq!(
        (alarm["Namespace"].as_str(), alarm["MetricName"].as_str()),
        (metric["MetricNamespace"].as_str(), metric["MetricName"].as_str())
    );
    for alarm in [spend, alarm] {
        assert_eq!(ref_target(&alarm["AlarmActions"][0]), Some("AlarmTopic"));
    }
}

#[test]
fn sms_publishing_cannot_reach_a_topic() {
    let template = read_yaml("infra/template.yaml");
    for (name, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        let statements: Vec<&Value> = function["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
            .flat_map(|p| p["Statement"].as_sequence().into_iter().flatten())
            .collect();
        if statements.iter().any(|s| s["Effect"] == "Allow" && s["Action"] == "sns:Publish") {
            let deny = statements.iter().find(|s| s["Effect"] == "Deny" && s["Action"] == "sns:Publish");
            let resource = deny.map(|s| sub_text(&s["Resource"]).unwrap_or_default());
            assert_eq!(resource, Some("arn:${AWS::Partition}:sns:*:*:*"), "{name}");
        }
    }
}

/// The features each workspace package asks of the shared crate, as Cargo
/// itself reads the manifests.
fn shared_features_by_package() -> std::collections::HashMap<String, Vec<String>> {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let mut features = std::collections::HashMap::new();
    for package in metadata["packages"].as_array().unwrap() {
        for dependency in package["dependencies"].as_array().unwrap() {
            if dependency["name"] == "accounts-shared" && dependency["kind"].is_null() {
                let asked = dependency["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_owned());
                features.insert(package["name"].as_str().unwrap().to_owned(), asked.collect());
            }
        }
    }
    features
}

#[test]
fn each_function_links_exactly_the_adapters_its_role_may_use() {
    let template = read_yaml("infra/template.yaml");
    let features = shared_features_by_package();
    for (name, function) in resources_of_type(&template, "AWS::Serverless::Function") {
        let binary = function["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let linked = &features[binary];
        assert!(!linked.iter().any(|f| f == "dev"), "{binary} links the dev server's pieces");
        let granted: String = function["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
            .flat_map(|p| p["Statement"].as_sequence().into_iter().flatten())
            .filter(|s| s["Effect"] == "Allow")
            .map(|s| format!("{:?}", s["Action"]))
            .collect();
        for (feature, service) in [("s3", "s3:"), ("ses", "ses:"), ("sns", "sns:"), ("kms", "kms:")] {
            let has = linked.iter().any(|f| f == feature);
            assert_eq!(has, granted.contains(service), "{name}: the {feature} adapter and the role's {service} grants");
        }
    }
}

/// Metric names of the `Accounts` namespace the template reads: the
/// dashboard's `["Accounts", "<name>"]` entries and the alarms' names.
fn accounts_metrics_read_by_the_template(template: &Value) -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml")).unwrap();
    let dashboard = regex_lite::Regex::new(r#"\[\s*"Accounts",\s*"(\w+)""#).unwrap();
    let mut names: BTreeSet<String> = dashboard.captures_iter(&text).map(|c| c[1].to_owned()).collect();
    for (_, alarm) in resources_of_type(template, "AWS::CloudWatch::Alarm") {
        if alarm["Properties"]["Namespace"] == "Accounts" {
            names.insert(alarm["Properties"]["MetricName"].as_str().unwrap().to_owned());
        }
    }
    names
}

#[test]
fn the_dashboard_and_alarms_read_only_metrics_that_are_written() {
    let template = read_yaml("infra/template.yaml");
    // Written by the code (EMF lines) or by a metric filter of the template.
    let mut written: BTreeSet<String> = shared::metrics::Metric::NAMES.iter().map(|n| n.to_string()).collect();
    for (_, filter) in resources_of_type(&template, "AWS::Logs::MetricFilter") {
        for transformation in filter["Properties"]["MetricTransformations"].as_sequence().unwrap() {
            assert_eq!(transformation["MetricNamespace"], "Accounts");
            written.insert(transformation["MetricName"].as_str().unwrap().to_owned());
        }
    }
    let read = accounts_metrics_read_by_the_template(&template);
    let unknown: Vec<_> = read.difference(&written).collect();
    assert!(unknown.is_empty(), "the template reads metrics nothing writes: {unknown:?}");
    let unseen: Vec<_> = written.difference(&read).collect();
    assert!(unseen.is_empty(), "metrics written but on no dashboard or alarm: {unseen:?}");
    // Every function is on the dashboard, and the functions emit EMF.
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml")).unwrap();
    for (name, _) in resources_of_type(&template, "AWS::Serverless::Function") {
        assert!(text.contains(&format!("\"${{{name}}}\"")), "{name} is on no dashboard widget");
    }
    assert_eq!(template["Globals"]["Function"]["Environment"]["Variables"]["ACCOUNTS_METRICS"], "emf");
}

#[test]
fn the_saved_queries_cover_an_account_5xx_slow_requests_and_lockouts() {
    let template = read_yaml("infra/template.yaml");
    let queries: Vec<String> = resources_of_type(&template, "AWS::Logs::QueryDefinition")
        .iter()
        .map(|(_, q)| q["Properties"]["QueryString"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(queries.len(), 5);
    assert!(queries.iter().any(|q| q.contains("delivery.providerResponse")), "SMS delivery logs");
    assert!(queries.iter().any(|q| q.contains("ACCOUNT_ID")));
    assert!(queries.iter().any(|q| q.contains("status like /^5/")));
    assert!(queries.iter().any(|q| q.contains("sort latency desc")));
    // The lockouts query reads the metric lines the code writes.
    assert!(shared::metrics::Metric::NAMES.contains(&"Lockouts"));
    assert!(queries.iter().any(|q| q.contains("filter Lockouts = 1")));
}

#[test]
fn only_the_scheduled_functions_run_on_a_schedule_and_they_serve_no_route() {
    let template = read_yaml("infra/template.yaml");
    let mut scheduled = BTreeSet::new();
    let routed: BTreeSet<String> = body_operations(&template).into_iter().map(|(function, ..)| function).collect();
    for (_, resource) in resources_of_type(&template, "AWS::Serverless::Function") {
        let events: Vec<&Value> =
            resource["Properties"]["Events"].as_mapping().into_iter().flatten().map(|(_, e)| e).collect();
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        if binary == shared::lambda::EMAIL_EVENTS {
            assert!(events.iter().all(|e| e["Type"] == "SNS"), "SES's events come through SNS");
            assert!(!routed.contains(binary), "it serves no route");
            continue;
        }
        assert!(events.iter().all(|e| e["Type"] == "Schedule"), "routes are the API body's, not SAM events");
        if !events.is_empty() {
            let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap().to_owned();
            assert!(!routed.contains(&binary), "a scheduled function serves no route");
            scheduled.insert(binary);
        }
    }
    let expected: BTreeSet<String> = shared::lambda::SCHEDULED.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(scheduled, expected);
}

/// An appeal's hold is what gives the owner time to cancel an appeal someone
/// else filed: the template takes no hold shorter than an hour, as the
/// functions' configuration refuses one.
#[test]
fn an_appeal_hold_cannot_be_configured_away() {
    let template = read_yaml("infra/template.yaml");
    let hold = &template["Parameters"]["AppealHoldHours"];
    assert_eq!(hold["MinValue"].as_u64(), Some(1));
    assert_eq!(hold["Default"].as_u64(), Some(72));
    let lookup = |hours: &'static str| {
        shared::Config::from_lookup(move |name| (name == "ACCOUNTS_APPEAL_HOLD_HOURS").then(|| hours.to_owned()))
    };
    assert!(lookup("0").is_err());
    assert!(lookup("1").is_ok());
}

/// The schema `openapi.yaml` gives `route`'s `status` answer, with `$ref`s
/// to `components` resolved (as JSON).
fn openapi_answer(spec: &serde_json::Value, method: &str, path: &str, status: u16) -> Option<serde_json::Value> {
    let response = &spec["paths"][path][method.to_lowercase()]["responses"][status.to_string()];
    let response = resolve(spec, response);
    response.get("content").map(|content| resolve(spec, &content["application/json"]["schema"]))
}

/// `value` with a top-level `$ref` followed (`#/components/...`).
fn resolve(spec: &serde_json::Value, value: &serde_json::Value) -> serde_json::Value {
    match value.get("$ref").and_then(|r| r.as_str()) {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            resolve(spec, spec.pointer(pointer).unwrap_or_else(|| panic!("openapi.yaml resolves {reference}")))
        }
        None => value.clone(),
    }
}

/// A schemars schema with its `$ref`s into `$defs` followed.
fn resolve_ours(root: &serde_json::Value, value: &serde_json::Value) -> serde_json::Value {
    match value.get("$ref").and_then(|r| r.as_str()) {
        Some(reference) => resolve_ours(root, root.pointer(reference.trim_start_matches('#')).expect("a $def")),
        None => value.clone(),
    }
}

/// The properties and required fields of an object schema (an untagged
/// `anyOf` of objects counts as the union of their properties and the
/// intersection of their required fields).
fn shape(root: &serde_json::Value, schema: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let schema = resolve_ours(root, schema);
    if let Some(variants) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(|v| v.as_array()) {
        let shapes: Vec<_> = variants.iter().map(|v| shape(root, v)).filter(|(p, _)| !p.is_empty()).collect();
        let properties = shapes.iter().flat_map(|(p, _)| p.clone()).collect();
        let required = shapes.iter().map(|(_, r)| r.clone()).reduce(|a, b| &a & &b).unwrap_or_default();
        return (properties, required);
    }
    let properties = schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    let required = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    (properties, required)
}

/// The JSON types a schema allows (`null` among them when it may be null),
/// with its `$ref`s followed by `follow`; empty when it names none (any).
fn json_types(
    schema: &serde_json::Value,
    follow: &dyn Fn(&serde_json::Value) -> serde_json::Value,
) -> BTreeSet<String> {
    let schema = follow(schema);
    let mut types: BTreeSet<String> = match &schema["type"] {
        serde_json::Value::String(t) => BTreeSet::from([t.clone()]),
        serde_json::Value::Array(ts) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => BTreeSet::new(),
    };
    for variants in [&schema["anyOf"], &schema["oneOf"], &schema["allOf"]] {
        for variant in variants.as_array().into_iter().flatten() {
            types.extend(json_types(variant, follow));
        }
    }
    let listed = schema.get("const").into_iter().chain(schema["enum"].as_array().into_iter().flatten());
    for value in listed {
        types.insert(
            match value {
                serde_json::Value::Bool(_) => "boolean",
                serde_json::Value::Number(_) => "number",
                serde_json::Value::Null => "null",
                _ => "string",
            }
            .to_owned(),
        );
    }
    if schema["nullable"] == true {
        types.insert("null".to_owned());
    }
    types
}

/// Compares our answer's shape with openapi's at `at`, and recursively the
/// objects both describe: the same fields, of the same JSON types.
fn compare(
    ours_root: &serde_json::Value,
    ours: &serde_json::Value,
    spec: &serde_json::Value,
    theirs: &serde_json::Value,
    at: &str,
    mismatches: &mut Vec<String>,
) {
    let theirs = resolve(spec, theirs);
    let (our_properties, our_required) = shape(ours_root, ours);
    let (their_properties, their_required) = shape(spec, &theirs);
    if their_properties.is_empty() {
        return;
    }
    if our_properties != their_properties {
        mismatches.push(format!("{at}: ours {our_properties:?}, openapi.yaml {their_properties:?}"));
        return;
    }
    let promised: Vec<_> = their_required.difference(&our_required).collect();
    if !promised.is_empty() {
        mismatches.push(format!("{at}: openapi.yaml requires {promised:?}, which the answer may leave out"));
    }
    let ours = resolve_ours(ours_root, ours);
    for property in &our_properties {
        let mut our_field = ours["properties"][property].clone();
        let mut their_field = resolve(spec, &theirs["properties"][property]);
        let mut our_types = json_types(&our_field, &|v| resolve_ours(ours_root, v));
        if !our_required.contains(property) {
            // Absent when `None`, never `null` (`skip_serializing_if`).
            our_types.remove("null");
        }
        let their_types = json_types(&their_field, &|v| resolve(spec, v));
        if !our_types.is_empty() && !their_types.is_empty() && our_types != their_types {
            mismatches.push(format!("{at}.{property}: ours is {our_types:?}, openapi.yaml {their_types:?}"));
        }
        // Lists: compare their items.
        if our_field.get("items").is_some() && their_field.get("items").is_some() {
            our_field = our_field["items"].clone();
            their_field = their_field["items"].clone();
        }
        compare(ours_root, &our_field, spec, &their_field, &format!("{at}.{property}"), mismatches);
    }
}

#[test]
fn every_answer_type_is_the_response_openapi_describes() {
    let spec: serde_json::Value = serde_json::to_value(read_yaml("openapi.yaml")).unwrap();
    let mut mismatches = Vec::new();
    for (id, status, schema) in shared::api::routes::answers() {
        let route = ROUTES.iter().find(|r| r.id == id).unwrap();
        let at = format!("{} {} {status}", route.method, route.path);
        let described = openapi_answer(&spec, route.method, route.path, status);
        let ours = schema.as_value().clone();
        match (status, described) {
            (204, None) => {}
            (204, Some(_)) => mismatches.push(format!("{at}: openapi.yaml gives a 204 a body")),
            (_, None) => mismatches.push(format!("{at}: openapi.yaml describes no JSON answer")),
            (_, Some(theirs)) => compare(&ours, &ours, &spec, &theirs, &at, &mut mismatches),
        }
    }
    assert!(mismatches.is_empty(), "answers and openapi.yaml differ:\n{}", mismatches.join("\n"));
}

/// The arguments of an intrinsic written with its short tag (`!If`, …).
fn tagged<'a>(value: &'a Value, tag: &str) -> Option<&'a Value> {
    match value {
        Value::Tagged(tagged) if tagged.tag == tag => Some(&tagged.value),
        _ => None,
    }
}

fn distribution(template: &Value) -> &Value {
    &resource(template, "Distribution")["Properties"]["DistributionConfig"]
}

const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

#[test]
fn the_distribution_serves_the_pages_and_forwards_the_api() {
    let template = read_yaml("infra/template.yaml");
    let config = distribution(&template);
    let origins = config["Origins"].as_sequence().unwrap();
    let origin = |id: &str| origins.iter().find(|o| o["Id"] == id).unwrap_or_else(|| panic!("origin {id}"));
    let pages = origin("pages");
    assert_eq!(tagged(&pages["DomainName"], "GetAtt").and_then(Value::as_str), Some("WebBucket.RegionalDomainName"));
    let api = origin("api");
    assert_eq!(sub_text(&api["DomainName"]), Some("${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"));
    assert_eq!(api["CustomOriginConfig"]["OriginProtocolPolicy"], "https-only");

    let default = &config["DefaultCacheBehavior"];
    assert_eq!(default["TargetOriginId"], "pages");
    assert_eq!(default["AllowedMethods"], serde_yaml_ng::from_str::<Value>("[GET, HEAD]").unwrap());
    assert_eq!(ref_target(&default["CachePolicyId"]), Some("PagesCachePolicy"));
    let cache = &resource(&template, "PagesCachePolicy")["Properties"]["CachePolicyConfig"];
    assert_eq!((cache["MinTTL"].as_u64(), cache["DefaultTTL"].as_u64()), (Some(0), Some(0)), "the object decides");
    assert_eq!(config["DefaultRootObject"], "index.html");

    // Every route is forwarded, uncached, with every method and every
    // viewer header but Host (API Gateway answers only to its own).
    let behaviors = config["CacheBehaviors"].as_sequence().unwrap();
    let patterns: BTreeSet<&str> = behaviors.iter().map(|b| b["PathPattern"].as_str().unwrap()).collect();
    assert_eq!(patterns, BTreeSet::from(["/v1/*", "/ops/v1/*"]));
    for behavior in behaviors {
        assert_eq!(behavior["TargetOriginId"], "api");
        let methods: BTreeSet<&str> =
            behavior["AllowedMethods"].as_sequence().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
        let routed: BTreeSet<&str> = ROUTES.iter().map(|r| r.method).collect();
        assert!(routed.is_subset(&methods), "{methods:?}");
        assert_eq!(behavior["CachePolicyId"], CACHING_DISABLED);
        assert_eq!(behavior["OriginRequestPolicyId"], ALL_VIEWER_EXCEPT_HOST_HEADER);
    }
    for route in ROUTES {
        assert!(route.path.starts_with("/v1/") || route.path.starts_with("/ops/v1/"), "{} is forwarded", route.path);
    }
    for behavior in behaviors.iter().chain([default]) {
        assert_eq!(behavior["ViewerProtocolPolicy"], "redirect-to-https");
        assert_eq!(ref_target(&behavior["ResponseHeadersPolicyId"]), Some("SecurityHeadersPolicy"));
    }
}

#[test]
fn the_distribution_sends_the_dev_servers_security_headers_and_hsts() {
    let template = read_yaml("infra/template.yaml");
    let headers = &resource(&template, "SecurityHeadersPolicy")["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
    let csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"].as_str().unwrap();
    assert_eq!(csp, accounts_dev::web::CSP, "the dev server's pages and the deployed ones have one policy");
    assert!(
        !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'") && csp.contains("connect-src 'self'")
    );
    assert!(headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"].as_u64().unwrap() >= 31_536_000);
    assert!(headers["ContentTypeOptions"].is_mapping(), "nosniff");
    assert_eq!(headers["FrameOptions"]["FrameOption"], "DENY");
    assert_eq!(headers["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer");
    for (name, header) in headers.as_mapping().unwrap() {
        assert_eq!(header["Override"], true, "{name:?} replaces whatever an origin sent");
    }
}

#[test]
fn only_the_distribution_reads_the_pages_bucket_through_origin_access_control() {
    let template = read_yaml("infra/template.yaml");
    let bucket = &resource(&template, "WebBucket")["Properties"];
    for block in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(bucket["PublicAccessBlockConfiguration"][block], true, "{block}");
    }
    let access = &resource(&template, "PagesOriginAccess")["Properties"]["OriginAccessControlConfig"];
    assert_eq!(
        (access["OriginAccessControlOriginType"].as_str(), access["SigningBehavior"].as_str()),
        (Some("s3"), Some("always"))
    );
    let pages = distribution(&template)["Origins"].as_sequence().unwrap().iter().find(|o| o["Id"] == "pages").unwrap();
    assert_eq!(tagged(&pages["OriginAccessControlId"], "GetAtt").and_then(Value::as_str), Some("PagesOriginAccess.Id"));
    let policy = &resource(&template, "WebBucketPolicy")["Properties"];
    assert_eq!(ref_target(&policy["Bucket"]), Some("WebBucket"));
    for statement in policy["PolicyDocument"]["Statement"].as_sequence().unwrap() {
        if statement["Effect"] == "Allow" {
            assert_eq!(statement["Principal"]["Service"], "cloudfront.amazonaws.com");
            let source = sub_text(&statement["Condition"]["StringEquals"]["AWS:SourceArn"]).unwrap();
            assert!(source.ends_with(":distribution/${Distribution}"), "this distribution only: {source}");
            assert!(["s3:GetObject", "s3:ListBucket"].contains(&statement["Action"].as_str().unwrap()));
        } else {
            assert_eq!(statement["Condition"]["Bool"]["aws:SecureTransport"], "false");
        }
    }
}

#[test]
fn the_api_believes_only_the_distribution_about_the_viewer() {
    let template = read_yaml("infra/template.yaml");
    let origins = distribution(&template)["Origins"].as_sequence().unwrap();
    let api = origins.iter().find(|o| o["Id"] == "api").unwrap();
    let headers = api["OriginCustomHeaders"].as_sequence().unwrap();
    assert_eq!(headers.len(), 1);
    assert!(headers[0]["HeaderName"].as_str().unwrap().eq_ignore_ascii_case(shared::api::request::ORIGIN_HEADER));
    // The functions compare with the very value the distribution sends:
    // the generated secret, never a literal of the template.
    let sent = sub_text(&headers[0]["HeaderValue"]).unwrap();
    let env = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(sub_text(&env["ACCOUNTS_ORIGIN_SECRET"]), Some(sent));
    assert_eq!(sent, "{{resolve:secretsmanager:${OriginSecret}:SecretString}}");
    let secret = &resource(&template, "OriginSecret")["Properties"]["GenerateSecretString"];
    assert!(secret["PasswordLength"].as_u64().unwrap() >= 32);
    let pages = origins.iter().find(|o| o["Id"] == "pages").unwrap();
    assert!(pages.get("OriginCustomHeaders").is_none(), "the bucket is never told the secret");
}

#[test]
fn email_links_point_at_the_distribution_unless_told_otherwise() {
    let template = read_yaml("infra/template.yaml");
    assert_eq!(template["Parameters"]["PublicUrl"]["Default"], "");
    let env = &template["Globals"]["Function"]["Environment"]["Variables"];
    let choice = tagged(&env["ACCOUNTS_PUBLIC_URL"], "If").and_then(Value::as_sequence).unwrap();
    assert_eq!(choice[0], "HasPublicUrl");
    assert_eq!(ref_target(&choice[1]), Some("PublicUrl"));
    let own_domain = tagged(&choice[2], "If").and_then(Value::as_sequence).unwrap();
    assert_eq!(own_domain[0], "HasPagesDomain");
    assert_eq!(sub_text(&own_domain[1]), Some("https://${PagesDomain}"));
    assert_eq!(sub_text(&own_domain[2]), Some("https://${Distribution.DomainName}"));
    // The same address is the stack's PublicUrl output (publish-pages, scripts/stack).
    assert_eq!(template["Outputs"]["PublicUrl"]["Value"], env["ACCOUNTS_PUBLIC_URL"]);
}

#[test]
fn an_own_domain_is_served_with_its_certificate_and_tls_1_2_at_least() {
    let template = read_yaml("infra/template.yaml");
    let config = distribution(&template);
    let aliases = tagged(&config["Aliases"], "If").and_then(Value::as_sequence).unwrap();
    assert_eq!((aliases[0].as_str(), ref_target(&aliases[1][0])), (Some("HasPagesDomain"), Some("PagesDomain")));
    let certificate = tagged(&config["ViewerCertificate"], "If").and_then(Value::as_sequence).unwrap();
    assert_eq!(certificate[0], "HasPagesDomain");
    assert_eq!(ref_target(&certificate[1]["AcmCertificateArn"]), Some("PagesCertificateArn"));
    assert_eq!(certificate[1]["MinimumProtocolVersion"], "TLSv1.2_2021");
    assert_eq!(certificate[1]["SslSupportMethod"], "sni-only");
    assert_eq!(certificate[2]["CloudFrontDefaultCertificate"], true);
}

#[test]
fn the_waf_is_optional_and_limits_the_sms_sign_in_and_password_routes() {
    let template = read_yaml("infra/template.yaml");
    assert_eq!(template["Parameters"]["EnableWaf"]["Default"], "false");
    let acl = resource(&template, "FrontWebAcl");
    assert_eq!(acl["Condition"], "UseWaf");
    let condition = tagged(&template["Conditions"]["UseWaf"], "Equals").and_then(Value::as_sequence).unwrap();
    assert_eq!((ref_target(&condition[0]), condition[1].as_str()), (Some("EnableWaf"), Some("true")));
    let webacl_id = tagged(&distribution(&template)["WebACLId"], "If").and_then(Value::as_sequence).unwrap();
    assert_eq!(webacl_id[0], "UseWaf");
    assert_eq!(tagged(&webacl_id[1], "GetAtt").and_then(Value::as_str), Some("FrontWebAcl.Arn"));
    let props = &acl["Properties"];
    assert_eq!(props["Scope"], "CLOUDFRONT");
    let rules = props["Rules"].as_sequence().unwrap();
    let managed: BTreeSet<&str> =
        rules.iter().filter_map(|r| r["Statement"]["ManagedRuleGroupStatement"]["Name"].as_str()).collect();
    assert_eq!(managed, BTreeSet::from(["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet"]));
    let rate = rules.iter().find_map(|r| r["Statement"].get("RateBasedStatement")).expect("a rate-based rule");
    assert_eq!(ref_target(&rate["Limit"]), Some("WafRateLimit"));
    assert_eq!(rate["AggregateKeyType"], "IP");
    let statements = rate["ScopeDownStatement"]["OrStatement"]["Statements"].as_sequence().unwrap();
    let mut scoped = Vec::new();
    for statement in statements {
        let matching = &statement["ByteMatchStatement"];
        // Matched on the path API Gateway routes, not on its encoding.
        let transformations: Vec<&str> = matching["TextTransformations"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|t| t["Type"].as_str().unwrap())
            .collect();
        assert_eq!(transformations, ["URL_DECODE", "NORMALIZE_PATH"], "{matching:?}");
        scoped.push((matching["PositionalConstraint"].as_str().unwrap(), matching["SearchString"].as_str().unwrap()));
    }
    let covers = |path: &str| {
        scoped.iter().any(|(constraint, prefix)| match *constraint {
            "EXACTLY" => path == *prefix,
            _ => path.starts_with(prefix),
        })
    };
    // Every route a stranger can call with a body (openapi.yaml asks it for
    // no session): each sends a message or tries a secret; and the
    // signed-in one that texts any number. (The one stranger GET lists the
    // SMS regions, and browsers keep it an hour.)
    let spec = read_yaml("openapi.yaml");
    let needs_session = |route: &shared::api::routes::Route| {
        let operation = &spec["paths"][route.path][route.method.to_ascii_lowercase().as_str()];
        operation["security"].as_sequence().is_some_and(|schemes| !schemes.is_empty())
    };
    let abusable = |route: &shared::api::routes::Route| {
        route.access == shared::api::routes::Access::Public
            && route.method != "GET"
            && (!needs_session(route) || route.id == shared::api::routes::RouteId::SendPhoneCode)
    };
    let strangers: Vec<_> = ROUTES.iter().filter(|r| abusable(r)).collect();
    assert!(strangers.len() >= 16, "openapi.yaml marks the signed-in routes");
    for route in strangers {
        assert!(covers(route.path), "the WAF's rate rule leaves out {}", route.key());
    }
    // Each names routes that exist.
    for (constraint, path) in scoped {
        let found =
            ROUTES.iter().any(|r| if constraint == "EXACTLY" { r.path == path } else { r.path.starts_with(path) });
        assert!(found, "{path} names no route");
    }
    // Its blocks, by rule, on the operations dashboard (CloudFront's web
    // ACL reports in us-east-1).
    let name = sub_text(&props["Name"]).unwrap();
    let dashboard = sub_text(&resource(&template, "OperationsDashboard")["Properties"]["DashboardBody"]).unwrap();
    let widget = dashboard.lines().find(|line| line.contains("AWS/WAFV2")).expect("a WAF widget");
    assert!(widget.contains("BlockedRequests") && widget.contains(&format!("WebACL=\\\"{name}\\\"")), "{widget}");
    assert!(widget.contains("\"region\":\"us-east-1\""));
    // Deployed elsewhere, CloudFormation refuses before creating anything.
    let rule = &template["Rules"]["WafNeedsUsEast1"];
    assert!(serde_yaml_ng::to_string(rule).unwrap().contains("us-east-1"));
}

/// `openapi.yaml` lists exactly the codes the service answers with, so a
/// client (and the pages' code-text test) can walk them; each has its texts
/// in both languages by construction (`domain::code`).
#[test]
fn openapi_lists_every_code_the_service_answers_with() {
    let spec = read_yaml("openapi.yaml");
    let listed: BTreeSet<String> = spec["components"]["schemas"]["Code"]["enum"]
        .as_sequence()
        .expect("openapi.yaml has components.schemas.Code.enum")
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    let ours: BTreeSet<String> = shared::domain::Code::ALL.iter().map(|code| code.as_str().to_owned()).collect();
    assert_eq!(listed, ours);
}

/// The keys of each language's texts: `web/texts/<lang>.js` (`TEXT.en = {…}`)
/// for every page, or ops.js's own (`OPS_TEXT.en = {…}`).
fn page_texts(script: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let web = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web");
    let read = |name: &str| std::fs::read_to_string(web.join(name)).unwrap();
    let key = regex_lite::Regex::new(r#"(?m)(?:^|[\s{,])([a-z][A-Za-z0-9_]*): ""#).unwrap();
    let keys_between = |source: &str, from: &str| -> BTreeSet<String> {
        let start = source.find(from).unwrap_or_else(|| panic!("{script} has {from}"));
        let end = start + source[start..].find("\n};").unwrap_or_else(|| panic!("{script} closes {from}"));
        key.captures_iter(&source[start..end]).map(|c| c[1].to_owned()).collect()
    };
    if script == "ops.js" {
        let source = read("ops.js");
        (keys_between(&source, "OPS_TEXT.en = {"), keys_between(&source, "OPS_TEXT[\"zh-CN\"] = {"))
    } else {
        (
            keys_between(&read("texts/en.js"), "TEXT.en = {"),
            keys_between(&read("texts/zh-CN.js"), "TEXT[\"zh-CN\"] = {"),
        )
    }
}

/// Every text a page shows exists in both languages, and every status the
/// customers' pages can be answered (the enums of openapi.yaml) has one.
#[test]
fn every_page_text_and_every_status_shown_has_both_languages() {
    for script in ["texts", "ops.js"] {
        let (en, zh) = page_texts(script);
        assert!(en.len() > 20, "{script}: {} English texts found", en.len());
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "{script}: English only {only_en:?}, Chinese only {only_zh:?}"
        );
    }
    let (en, _) = page_texts("texts");
    let spec: serde_json::Value = serde_json::to_value(read_yaml("openapi.yaml")).unwrap();
    let answer =
        |path: &str| format!("/paths/{}/get/responses/200/content/application~1json/schema", path.replace('/', "~1"));
    let shown = [
        ("status_", "/components/schemas/Account/properties/status/enum".to_owned()),
        ("status_", format!("{}/properties/items/items/properties/status/enum", answer("/v1/me/sub-accounts"))),
        ("verification_", format!("{}/properties/status/enum", answer("/v1/me/verification"))),
        ("deletion_", format!("{}/properties/status/enum", answer("/v1/me/deletion-request"))),
    ];
    for (prefix, pointer) in shown {
        let values =
            spec.pointer(&pointer).and_then(|v| v.as_array()).unwrap_or_else(|| panic!("openapi.yaml has {pointer}"));
        for value in values {
            let key = format!("{prefix}{}", value.as_str().unwrap());
            assert!(en.contains(&key), "app.js has no text {key} for {pointer}");
        }
    }
}

/// The distribution's pages router knows exactly web/'s pages (each
/// `name.html` at `/name`, `index.html` at `/`; `404.html` is its answer
/// for the rest) and runs on the pages' behaviour alone, so the API's own
/// `404`s stay problem JSON.
#[test]
fn the_pages_router_knows_every_page_and_routes_only_pages() {
    let template = read_yaml("infra/template.yaml");
    let resources = &template["Resources"];
    let code = resources["PagesRouter"]["Properties"]["FunctionCode"].as_str().expect("PagesRouter's code");
    let list =
        regex_lite::Regex::new(r"(?s)var PAGES = \[(.*?)\];").unwrap().captures(code).expect("its PAGES")[1].to_owned();
    let routed: BTreeSet<String> =
        regex_lite::Regex::new(r#""(/[a-z-]*)""#).unwrap().captures_iter(&list).map(|c| c[1].to_owned()).collect();
    let web = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web");
    let pages: BTreeSet<String> = std::fs::read_dir(web)
        .unwrap()
        .filter_map(|entry| entry.unwrap().file_name().to_str()?.strip_suffix(".html").map(str::to_owned))
        .filter(|name| name != "404")
        .map(|name| if name == "index" { "/".to_owned() } else { format!("/{name}") })
        .collect();
    assert_eq!(routed, pages);
    let config = &resources["Distribution"]["Properties"]["DistributionConfig"];
    let events: Vec<_> = config["DefaultCacheBehavior"]["FunctionAssociations"]
        .as_sequence()
        .expect("the pages' behaviour runs the router")
        .iter()
        .map(|association| association["EventType"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["viewer-request", "viewer-response"]);
    for behaviour in config["CacheBehaviors"].as_sequence().unwrap() {
        assert!(behaviour.get("FunctionAssociations").is_none(), "{:?} routes nothing", behaviour["PathPattern"]);
    }
    assert!(config.get("CustomErrorResponses").is_none(), "a distribution-wide error page would replace the API's");
}
