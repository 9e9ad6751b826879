//! The first phone number a process parses, then the next two: what a cold
//! start pays for libphonenumber's metadata (`shared::domain::phone_book`).
use shared::domain::phone::{Phone, SmsRegions};

fn main() {
    let regions = SmsRegions::default();
    for raw in ["+8613800138000", "+8613912345678", "+12015550123"] {
        let start = std::time::Instant::now();
        let phone = Phone::parse_for_sms(raw, &regions);
        println!("{raw}: {:?} in {:.3} ms", phone.map(|p| p.region()), start.elapsed().as_secs_f64() * 1e3);
    }
}
