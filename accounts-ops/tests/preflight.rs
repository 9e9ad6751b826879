//! `accounts-ops preflight`, the built binary, against an AWS account as
//! the SDK sees one: moto answers what it implements (CloudFormation's
//! DescribeStacks of a stack with the template's parameters and outputs,
//! ACM's DescribeCertificate, SNS's Get/SetSMSAttributes and
//! ListSubscriptionsByTopic), and a local fake answers what moto does not,
//! with the shapes AWS documents for them (Lambda's GetAccountSettings,
//! SES v2's GetAccount and GetEmailIdentity — moto never reports an
//! identity verified — and SNS's GetSMSSandboxAccountStatus and
//! ListOriginationNumbers). The fake stands in front of moto and forwards
//! everything else. Checked: a fresh account, a ready one, each failure
//! alone, and `--fix`. The runtimes have two workers: the fake answers on
//! one while a test waits for the binary on the other.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// What the fake answers for the calls moto does not implement.
#[derive(Clone)]
struct Account {
    lambda_concurrency: i64,
    ses_production: bool,
    ses_sending: bool,
    /// SES identities: name → (verified, DKIM status).
    identities: HashMap<String, (bool, &'static str)>,
    sms_sandbox: bool,
    /// Origination numbers: (number, country, status).
    numbers: Vec<(&'static str, &'static str, &'static str)>,
}

impl Account {
    fn fresh() -> Self {
        Self {
            lambda_concurrency: 10,
            ses_production: false,
            ses_sending: true,
            identities: HashMap::new(),
            sms_sandbox: true,
            numbers: Vec::new(),
        }
    }

    fn ready() -> Self {
        Self {
            lambda_concurrency: 1000,
            ses_production: true,
            ses_sending: true,
            identities: HashMap::from([("gpu.example".to_owned(), (true, "SUCCESS"))]),
            sms_sandbox: false,
            numbers: vec![("+18005550100", "US", "ACTIVE")],
        }
    }
}

type Answer = Response<Full<Bytes>>;

fn answer(status: u16, content_type: &str, headers: &[(&str, &str)], body: String) -> Answer {
    let mut response = Response::builder().status(status).header("content-type", content_type);
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response.body(Full::new(Bytes::from(body))).unwrap()
}

const SNS_NS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";

/// AWS's documented answer to a call moto does not implement, if this is one.
fn faked(account: &Account, method: &str, path: &str, form: &HashMap<String, String>) -> Option<Answer> {
    if method == "GET" && path.starts_with("/2016-08-19/account-settings") {
        let body = json!({"AccountLimit": {"TotalCodeSize": 80530636800u64, "CodeSizeUnzipped": 262144000,
            "CodeSizeZipped": 52428800, "ConcurrentExecutions": account.lambda_concurrency,
            "UnreservedConcurrentExecutions": account.lambda_concurrency},
            "AccountUsage": {"TotalCodeSize": 0, "FunctionCount": 0}});
        return Some(answer(200, "application/json", &[], body.to_string()));
    }
    if method == "GET" && path == "/v2/email/account" {
        let body = json!({"DedicatedIpAutoWarmupEnabled": false, "EnforcementStatus": "HEALTHY",
            "ProductionAccessEnabled": account.ses_production, "SendingEnabled": account.ses_sending,
            "SendQuota": {"Max24HourSend": if account.ses_production { 50000.0 } else { 200.0 },
                "MaxSendRate": 14.0, "SentLast24Hours": 0.0},
            "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]}});
        return Some(answer(200, "application/json", &[], body.to_string()));
    }
    if let Some(name) = path.strip_prefix("/v2/email/identities/").filter(|_| method == "GET") {
        let name = percent_decode(name);
        return Some(match account.identities.get(&name) {
            Some((verified, dkim)) => {
                let kind = if name.contains('@') { "EMAIL_ADDRESS" } else { "DOMAIN" };
                let body = json!({"IdentityType": kind, "FeedbackForwardingStatus": true,
                    "VerifiedForSendingStatus": verified, "VerificationStatus": if *verified { "SUCCESS" } else { "PENDING" },
                    "DkimAttributes": {"SigningEnabled": true, "Status": dkim, "SigningAttributesOrigin": "AWS_SES"},
                    "Policies": {}, "Tags": []});
                answer(200, "application/json", &[], body.to_string())
            }
            None => answer(
                404,
                "application/json",
                &[("x-amzn-errortype", "NotFoundException")],
                json!({"message": format!("Identity {name} does not exist.")}).to_string(),
            ),
        });
    }
    match form.get("Action").map(String::as_str) {
        Some("GetSMSSandboxAccountStatus") => Some(answer(
            200,
            "text/xml",
            &[],
            format!(
                "<GetSMSSandboxAccountStatusResponse xmlns=\"{SNS_NS}\"><GetSMSSandboxAccountStatusResult>\
                 <IsInSandbox>{}</IsInSandbox></GetSMSSandboxAccountStatusResult><ResponseMetadata>\
                 <RequestId>fake</RequestId></ResponseMetadata></GetSMSSandboxAccountStatusResponse>",
                account.sms_sandbox
            ),
        )),
        Some("ListOriginationNumbers") => {
            let members: String = account
                .numbers
                .iter()
                .map(|(number, country, status)| {
                    format!(
                        "<member><CreatedAt>2026-11-01T00:00:00Z</CreatedAt><PhoneNumber>{number}</PhoneNumber>\
                         <Status>{status}</Status><Iso2CountryCode>{country}</Iso2CountryCode>\
                         <RouteType>Transactional</RouteType><NumberCapabilities><member>SMS</member>\
                         </NumberCapabilities></member>"
                    )
                })
                .collect();
            Some(answer(
                200,
                "text/xml",
                &[],
                format!(
                    "<ListOriginationNumbersResponse xmlns=\"{SNS_NS}\"><ListOriginationNumbersResult>\
                     <PhoneNumbers>{members}</PhoneNumbers></ListOriginationNumbersResult><ResponseMetadata>\
                     <RequestId>fake</RequestId></ResponseMetadata></ListOriginationNumbersResponse>"
                ),
            ))
        }
        _ => None,
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// The fake, in front of moto at `upstream`; its address.
async fn fake_account(account: Arc<Mutex<Account>>, upstream: String) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let http = reqwest::Client::new();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (account, upstream, http) = (account.clone(), upstream.clone(), http.clone());
            tokio::spawn(async move {
                let service = service_fn(move |req: Request<Incoming>| {
                    let (account, upstream, http) = (account.clone(), upstream.clone(), http.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await.unwrap().to_bytes();
                        let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
                        let state = account.lock().unwrap().clone();
                        if let Some(answer) = faked(&state, parts.method.as_str(), parts.uri.path(), &form) {
                            return Ok::<_, std::convert::Infallible>(answer);
                        }
                        let url = format!("{upstream}{}", parts.uri.path_and_query().map_or("/", |p| p.as_str()));
                        let mut forwarded = http.request(parts.method.clone(), url).body(body);
                        for (name, value) in &parts.headers {
                            if name != "host" && name != "content-length" {
                                forwarded = forwarded.header(name, value);
                            }
                        }
                        let reply = forwarded.send().await.unwrap();
                        let status = reply.status().as_u16();
                        let content_type = reply
                            .headers()
                            .get("content-type")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("text/xml")
                            .to_owned();
                        let bytes = reply.text().await.unwrap();
                        Ok(answer(status, &content_type, &[], bytes))
                    }
                });
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    });
    addr
}

/// The stand-in for a deployed stack: the template's parameters and the
/// outputs preflight reads (`the_stand_in_stack_has_what_the_template_has`
/// holds the names to `infra/template.yaml`).
fn stack_template() -> Value {
    let text = |default: &str| json!({"Type": "String", "Default": default});
    json!({
        "Parameters": {
            "EmailFrom": {"Type": "String"},
            "SmsRegions": text("CN"),
            "SmsSignature": text(""),
            "SmsOriginationNumber": text(""),
            "HashingReservedConcurrency": text(""),
            "SmsMonthlySpendAlarmUsd": text("0.8"),
            "PagesDomain": text(""),
            "PagesCertificateArn": text(""),
        },
        "Resources": {"AlarmTopic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
            "SmsDeliveryStatusRoleArn": {"Value": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/accounts-sms-delivery"}},
            "SmsMonthlySpendAlarmUsd": {"Value": {"Ref": "SmsMonthlySpendAlarmUsd"}},
        },
    })
}

/// One preflight world: moto, the fake in front of it, and the SDK of both.
struct World {
    fake: SocketAddr,
    sdk: aws_config::SdkConfig,
}

/// moto keeps one account for every test: preflight's worlds take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl World {
    async fn new(account: Account) -> Self {
        let upstream = accounts_tests::emulator_endpoint();
        let account = Arc::new(Mutex::new(account));
        let fake = fake_account(account, upstream).await;
        let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(shared::aws_http::https_client())
            .endpoint_url(format!("http://{fake}"))
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_credential_types::Credentials::new("testing", "testing", None, None, "preflight"))
            .load()
            .await;
        let world = Self { fake, sdk };
        // moto's SMS settings outlive a test: start each from a new account's.
        world.sms_settings(&[("MonthlySpendLimit", "1"), ("DeliveryStatusIAMRole", "")]).await;
        world
    }

    async fn sms_settings(&self, attributes: &[(&str, &str)]) {
        let mut request = aws_sdk_sns::Client::new(&self.sdk).set_sms_attributes();
        for (name, value) in attributes {
            request = request.attributes(*name, *value);
        }
        request.send().await.expect("SMS settings set");
    }

    /// Deploys a stand-in stack with `parameters`; its name.
    async fn stack(&self, parameters: &[(&str, &str)]) -> String {
        let name = format!("preflight-{}", accounts_tests::unique_tag());
        let cloudformation = aws_sdk_cloudformation::Client::new(&self.sdk);
        let mut request = cloudformation.create_stack().stack_name(&name).template_body(stack_template().to_string());
        for (key, value) in parameters {
            request = request.parameters(
                aws_sdk_cloudformation::types::Parameter::builder().parameter_key(*key).parameter_value(*value).build(),
            );
        }
        request.send().await.expect("the stand-in stack");
        name
    }

    /// Subscribes the operators' address to the stand-in stack's alarm
    /// topic, as `AlarmEmail` does (moto's CloudFormation makes no
    /// subscriptions; moto confirms an email subscription at once).
    async fn subscribe_to_alarms(&self, stack: &str) {
        let cloudformation = aws_sdk_cloudformation::Client::new(&self.sdk);
        let described = cloudformation.describe_stacks().stack_name(stack).send().await.expect("the stack");
        let outputs = described.stacks()[0].outputs();
        let topic = outputs.iter().find(|o| o.output_key() == Some("AlarmTopicArn")).and_then(|o| o.output_value());
        let sns = aws_sdk_sns::Client::new(&self.sdk);
        let subscribe = sns.subscribe().topic_arn(topic.expect("AlarmTopicArn")).protocol("email");
        subscribe.endpoint("ops@gpu.example").send().await.expect("subscribed");
    }

    /// An ACM certificate for `domain` in us-east-1 (moto issues it once
    /// MOTO_ACM_VALIDATION_WAIT has passed: scripts/test sets 0).
    async fn certificate(&self, domain: &str) -> String {
        let acm = aws_sdk_acm::Client::new(&self.sdk);
        let requested = acm.request_certificate().domain_name(domain).send().await.expect("requested");
        requested.certificate_arn().unwrap().to_owned()
    }

    /// Runs the built `accounts-ops preflight args --json`: exit status and
    /// the verdict of each check.
    fn preflight(&self, args: &[&str]) -> (i32, HashMap<String, String>) {
        let output = Command::new(env!("CARGO_BIN_EXE_accounts-ops"))
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
            .env("AWS_ENDPOINT_URL", format!("http://{}", self.fake))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .arg("preflight")
            .args(args)
            .arg("--json")
            .output()
            .expect("accounts-ops runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let answer: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("JSON checks: {stderr}"));
        let verdicts = answer["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["check"].as_str().unwrap().to_owned(), c["verdict"].as_str().unwrap().to_owned()))
            .collect();
        (output.status.code().unwrap(), verdicts)
    }
}

fn failing(verdicts: &HashMap<String, String>) -> Vec<&str> {
    let mut failed: Vec<&str> = verdicts.iter().filter(|(_, v)| *v == "fail").map(|(k, _)| k.as_str()).collect();
    failed.sort();
    failed
}

/// The parameters of a stack ready to go on a ready account.
async fn ready_stack(world: &World) -> String {
    let certificate = world.certificate("console.gpu.example").await;
    world.sms_settings(&[("MonthlySpendLimit", "100")]).await;
    // moto issues a requested certificate once its validation wait passed.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let stack = world
        .stack(&[
            ("EmailFrom", "no-reply@gpu.example"),
            ("SmsRegions", "CN,US"),
            ("SmsSignature", "【GPU云】"),
            ("SmsOriginationNumber", "+18005550100"),
            ("HashingReservedConcurrency", "50"),
            ("SmsMonthlySpendAlarmUsd", "80"),
            ("PagesDomain", "console.gpu.example"),
            ("PagesCertificateArn", &certificate),
        ])
        .await;
    world.subscribe_to_alarms(&stack).await;
    stack
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(feature = "emulator"), ignore = "needs the AWS emulator (scripts/test: the emulator feature)")]
async fn a_fresh_account_is_told_what_to_do_before_the_first_deploy() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let world = World::new(Account::fresh()).await;
    let (status, verdicts) = world.preflight(&[]);
    assert_eq!(status, 1, "{verdicts:?}");
    assert_eq!(failing(&verdicts), ["ses-production", "sms-signature", "sns-sms-sandbox"]);
    assert_eq!(verdicts["lambda-concurrency"], "warn", "nothing reserved by default: it deploys");
    assert_eq!(verdicts["sns-spend-limit"], "warn", "$1 a month texts next to nobody");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(feature = "emulator"), ignore = "needs the AWS emulator (scripts/test: the emulator feature)")]
async fn a_ready_account_passes_every_check_and_fix_turns_delivery_logging_on() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let world = World::new(Account::ready()).await;
    let stack = ready_stack(&world).await;
    let (status, verdicts) = world.preflight(&["--stack-name", &stack]);
    assert_eq!(verdicts["sms-delivery-logging"], "warn", "not yet logged: {verdicts:?}");
    assert_eq!(status, 0, "{verdicts:?}");
    let (status, verdicts) = world.preflight(&["--stack-name", &stack, "--fix"]);
    assert_eq!(status, 0);
    for (check, verdict) in &verdicts {
        assert_eq!(verdict, "pass", "{check}: {verdicts:?}");
    }
    let attributes = aws_sdk_sns::Client::new(&world.sdk).get_sms_attributes().send().await.unwrap();
    let role = attributes.attributes().unwrap()["DeliveryStatusIAMRole"].clone();
    assert!(role.ends_with(":role/accounts-sms-delivery"), "{role}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(feature = "emulator"), ignore = "needs the AWS emulator (scripts/test: the emulator feature)")]
async fn each_failure_alone_fails_its_own_check() {
    let _turn = ONE_AT_A_TIME.lock().await;
    type Break = fn(&mut Account);
    let cases: &[(&str, Break)] = &[
        ("lambda-concurrency", |a| a.lambda_concurrency = 549),
        ("ses-production", |a| a.ses_production = false),
        ("ses-sender", |a| a.identities.clear()),
        ("ses-sender", |a| {
            a.identities.insert("gpu.example".into(), (false, "PENDING"));
        }),
        ("sns-sms-sandbox", |a| a.sms_sandbox = true),
        ("sms-origination", |a| a.numbers.clear()),
        ("sms-origination", |a| a.numbers = vec![("+18005550100", "US", "PENDING")]),
    ];
    for (check, broken) in cases {
        let mut account = Account::ready();
        broken(&mut account);
        let world = World::new(account).await;
        let stack = ready_stack(&world).await;
        let (status, verdicts) = world.preflight(&["--stack-name", &stack]);
        assert_eq!((status, failing(&verdicts)), (1, vec![*check]), "{verdicts:?}");
    }
    // What the stack itself asks, or moto answers.
    let world = World::new(Account::ready()).await;
    let stack = ready_stack(&world).await;
    world.sms_settings(&[("MonthlySpendLimit", "50")]).await;
    let (_, verdicts) = world.preflight(&["--stack-name", &stack]);
    assert_eq!(failing(&verdicts), ["sns-spend-limit"], "the $80 alarm over a $50 limit");
    let mut wrong_domain = vec![("EmailFrom", "no-reply@gpu.example"), ("SmsRegions", "CN")];
    let certificate = world.certificate("other.example").await;
    wrong_domain.extend([("SmsSignature", "【GPU云】"), ("PagesDomain", "console.gpu.example")]);
    wrong_domain.push(("PagesCertificateArn", &certificate));
    let stack = world.stack(&wrong_domain).await;
    world.sms_settings(&[("MonthlySpendLimit", "100")]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, verdicts) = world.preflight(&["--stack-name", &stack]);
    assert_eq!(failing(&verdicts), ["certificate"], "{verdicts:?}");
    let stack = world.stack(&[("EmailFrom", "no-reply@gpu.example"), ("SmsRegions", "CN")]).await;
    let (_, verdicts) = world.preflight(&["--stack-name", &stack]);
    assert_eq!(failing(&verdicts), ["sms-signature"], "{verdicts:?}");
    let stack = world.stack(&[("EmailFrom", "no-reply@gpu.example"), ("SmsRegions", "US"), ("SmsSignature", "")]).await;
    let (_, verdicts) = world.preflight(&["--stack-name", &stack]);
    assert_eq!(failing(&verdicts), ["sms-origination"], "the US needs a number: {verdicts:?}");
}

/// The stand-in stack's parameters and outputs are the template's own.
#[test]
fn the_stand_in_stack_has_what_the_template_has() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let template = stack_template();
    for parameter in template["Parameters"].as_object().unwrap().keys() {
        assert!(text.contains(&format!("\n  {parameter}:\n    Type:")), "the template has no parameter {parameter}");
    }
    let outputs = &text[text.find("\nOutputs:").expect("outputs")..];
    for output in template["Outputs"].as_object().unwrap().keys() {
        assert!(outputs.contains(&format!("\n  {output}:\n")), "the template has no output {output}");
    }
}
