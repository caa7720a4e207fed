//! The day of work the console tests review: team north's reps ann and bob and team south's
//! cat, each with a visit synced to the server.

use fieldsales_core::customer::{Address, NewCustomer, Visibility};
use fieldsales_core::protocol::media;
use fieldsales_core::quicklog::{Channel, NewQuickLog};
use fieldsales_core::visit::{CheckOut, Fix};
use fieldsales_testkit::wire::Device;

/// The bytes of ann's photo of the shop front (a JPEG to the server's sniffer).
pub const PHOTO: &[u8] = b"\xFF\xD8\xFF\xE0 the shop front";

/// The shop's coordinates (and ann's fix at its door).
pub const SHOP: (f64, f64) = (39.9042, 116.4074);

fn customer(name: &str, visibility: Visibility) -> NewCustomer {
    NewCustomer {
        name: name.into(),
        visibility,
        address: Some(Address {
            text: Some("北京市东城区".into()),
            lat: Some(SHOP.0),
            lon: Some(SHOP.1),
        }),
        ..Default::default()
    }
}

/// The day's work of team north (ann: a verified visit with notes, a pain point, a photo and
/// a next action, and a call; bob: an out-of-range visit) and of team south (cat: a visit).
pub struct Day {
    pub shop: String,
    pub ann_visit: String,
    pub bob_visit: String,
    pub cat_visit: String,
    pub photo: String,
}

pub async fn a_day_of_work(ann: &mut Device, bob: &mut Device, cat: &mut Device) -> Day {
    let shop = ann
        .fs
        .customers()
        .create(customer("北京小米", Visibility::Team))
        .unwrap();
    let at_the_door = Fix {
        lat: SHOP.0,
        lon: SHOP.1,
        accuracy_m: Some(10.0),
    };
    let ann_visit = ann
        .fs
        .visits()
        .check_in(&shop, None, Some(at_the_door))
        .unwrap()
        .id;
    let photo = media::content_hash(PHOTO);
    ann.fs
        .visits()
        .check_out(
            &ann_visit,
            CheckOut {
                notes: Some("老板在，想看报价".into()),
                pain_points: vec!["价格太高".into()],
                outcome: Some("interested".into()),
                next_action: Some("发报价单".into()),
                next_action_due: Some(chrono::Utc::now() + chrono::Duration::days(1)),
                photos: vec![photo.clone()],
                ..Default::default()
            },
        )
        .unwrap();
    ann.fs
        .quick_log()
        .log(NewQuickLog {
            channel: Channel::Call,
            customer_id: Some(shop.clone()),
            ..Default::default()
        })
        .unwrap();
    ann.sync().await;

    let own = bob
        .fs
        .customers()
        .create(customer("Bob's Lead", Visibility::Private))
        .unwrap();
    let far_away = Fix {
        lat: SHOP.0 + 1.0,
        lon: SHOP.1,
        accuracy_m: Some(10.0),
    };
    let bob_visit = bob
        .fs
        .visits()
        .check_in(&own, None, Some(far_away))
        .unwrap()
        .id;
    bob.sync().await;

    let south = cat
        .fs
        .customers()
        .create(customer("South Mall", Visibility::Team))
        .unwrap();
    let cat_visit = cat.fs.visits().check_in(&south, None, None).unwrap().id;
    cat.sync().await;
    Day {
        shop,
        ann_visit,
        bob_visit,
        cat_visit,
        photo,
    }
}
