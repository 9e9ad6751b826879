//! Path matching over the shared route table, as API Gateway does it.

use std::collections::BTreeMap;

use super::problem::ApiError;
use super::routes::{ROUTES, Route};

/// What a method and path resolve to.
pub enum Matched {
    /// A route, with its path parameters.
    Route {
        /// The route.
        route: &'static Route,
        /// `{name}` parameters of the path template.
        params: BTreeMap<String, String>,
    },
    /// The path exists with other methods.
    WrongMethod(Vec<&'static str>),
    /// No such path.
    None,
}

/// Paths of the route table, each with the routes (methods) it serves.
pub struct Router {
    paths: matchit::Router<Vec<&'static Route>>,
}

impl Default for Router {
    /// Builds the router from [`ROUTES`].
    fn default() -> Self {
        let mut by_path: BTreeMap<&str, Vec<&'static Route>> = BTreeMap::new();
        for route in ROUTES {
            by_path.entry(route.path).or_default().push(route);
        }
        let mut paths = matchit::Router::new();
        for (path, routes) in by_path {
            paths.insert(path, routes).expect("route table paths are valid and distinct");
        }
        Self { paths }
    }
}

impl Router {
    /// Resolves `method` and `path`.
    pub fn find(&self, method: &str, path: &str) -> Matched {
        let Ok(found) = self.paths.at(path) else {
            return Matched::None;
        };
        match found.value.iter().find(|r| r.method == method) {
            Some(route) => Matched::Route {
                route,
                params: found.params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            },
            None => Matched::WrongMethod(found.value.iter().map(|r| r.method).collect()),
        }
    }
}

impl Router {
    /// Why no route serves `method` on `path`: `405` with the methods the
    /// path serves, else `404` (also for a route, which API Gateway would
    /// have sent to its function rather than to the `$default` route).
    pub fn refusal(&self, method: &str, path: &str) -> ApiError {
        match self.find(method, path) {
            Matched::WrongMethod(allowed) => ApiError::MethodNotAllowed(allowed),
            Matched::Route { .. } | Matched::None => ApiError::NotFound,
        }
    }
}
