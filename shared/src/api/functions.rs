//! What each Lambda function serves: its own routes' handlers and nothing
//! else. A function's `main` names its entry here, so that its binary links
//! only its handlers and the flows they call (the dev server, which serves
//! every route, goes through [`entry`]).

use std::future::Future;
use std::pin::Pin;

use super::handlers::{
    appeals, change_password, contact_details, deletion, forgot_password, operator, passkeys, security, sessions,
    set_password, sign_up, sms_codes, sub_accounts, verification,
};
use super::problem::ApiError;
use super::request::ApiRequest;
use super::response::{ApiResponse, Either, Reply};
use super::routes::{Function, RouteId, route_declarations};
use super::views::*;
use crate::app::App;

/// A handler's answer, boxed so that every function's dispatch has one type.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<ApiResponse, ApiError>> + Send + 'a>>;

/// One Lambda function: which it is, the routes it serves and how.
pub struct Entry {
    /// The function.
    pub function: Function,
    /// The routes its dispatch answers (declared with them: `route_declarations!`).
    pub routes: &'static [RouteId],
    /// Answers a request for one of `routes`.
    pub serve: for<'a> fn(&'a App, &'a ApiRequest) -> Answer<'a>,
}

/// The type a handler answers with for a route declaring `answers`: the
/// one answer, or [`Either`] of two.
macro_rules! answer_type {
    ($answer:ty) => { $answer };
    ($first:ty, $second:ty) => { Either<$first, $second> };
}

/// Builds each function's [`Entry`] (its routes and a dispatch naming only
/// its own handlers) and [`entry`] from the route declarations. Each
/// handler must give a [`Reply`] of its route's declared answer type, or
/// the dispatch does not compile; the status is the declaration's.
macro_rules! function_entries {
    ($( $function:ident $name:literal $entry:ident {
        $( $route:ident $method:ident $path:literal $body:ident $access:ident => $handler:path
            [$($status:literal $answer:ty),+], )+
    } )+) => {
        $(
            #[doc = concat!("`functions/", $name, "`.")]
            pub const $entry: Entry = Entry {
                function: Function::$function,
                routes: &[$(RouteId::$route),+],
                serve: {
                    fn serve<'a>(app: &'a App, req: &'a ApiRequest) -> Answer<'a> {
                        Box::pin(async move {
                            match req.route.id {
                                $(RouteId::$route => $handler(app, req).await.map(
                                    |reply: Reply<answer_type!($($answer),+)>| reply.into_response(&[$($status),+]),
                                ),)+
                                _ => Err(ApiError::NotFound),
                            }
                        })
                    }
                    serve
                },
            };
        )+

        /// The entry of `function` (this links every function's handlers:
        /// for the dev server and tests, never for a Lambda function).
        pub fn entry(function: Function) -> &'static Entry {
            match function {
                $(Function::$function => &$entry,)+
            }
        }
    };
}

route_declarations!(function_entries);
