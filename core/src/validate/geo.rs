//! Coordinates and the visit geofence: is the rep's device fix close enough
//! to the customer's stored location to count a check-in as on-site?
//!
//! Owns: coordinate range checks, great-circle distance (haversine on a
//! sphere of the IUGG mean earth radius), and the three-way geofence verdict.
//!
//! Must not: convert between datums, call a map or geocoding service, or log
//! coordinates (a rep's position is personal data).
//!
//! Datum warning: both points MUST be in the same datum. Phone GNSS gives
//! WGS-84, while maps licensed in China (AMap, Tencent) use GCJ-02 and
//! Baidu uses BD-09; the offset between them is typically a few hundred
//! metres — the same order as the geofence radius — so mixing them silently
//! turns real visits into `OutOfRange`. Conversion belongs where coordinates
//! enter the system, not here.

/// Mean earth radius R1 = (2a + b) / 3 of WGS-84, in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Radius used when a customer has no specific geofence configured.
pub const DEFAULT_GEOFENCE_RADIUS_M: f64 = 500.0;

/// A position in decimal degrees. Build it with [`GeoPoint::new`] to get
/// range checks; the fields are public for convenience, so code that fills
/// them directly must not assume validity — [`geofence`] does not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

/// Why a coordinate pair was rejected. Messages never echo the input.
#[derive(Debug, thiserror::Error, PartialEq, Clone)]
pub enum GeoError {
    #[error("latitude must be between -90 and 90 degrees")]
    LatitudeOutOfRange,
    #[error("longitude must be between -180 and 180 degrees")]
    LongitudeOutOfRange,
    #[error("coordinate is not a finite number")]
    NotFinite,
}

/// Outcome of comparing a device fix with the customer's location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeofenceVerdict {
    /// The whole accuracy circle of the fix lies inside the fence.
    Verified,
    /// The whole accuracy circle of the fix lies outside the fence.
    OutOfRange,
    /// Missing data, unusable input, or a fix too imprecise to decide.
    Unverifiable,
}

impl GeoPoint {
    /// Validates ranges. NaN/infinity is checked first because range
    /// comparisons are always false for NaN and would misreport it.
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        if !lat.is_finite() || !lon.is_finite() {
            return Err(GeoError::NotFinite);
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::LatitudeOutOfRange);
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(GeoError::LongitudeOutOfRange);
        }
        Ok(Self { lat, lon })
    }

    /// Great-circle distance in metres (haversine, spherical earth).
    ///
    /// The sphere is within about 0.5% of the ellipsoid, i.e. a few metres at
    /// geofence scale, far below phone GNSS error. Returns NaN only if a
    /// field was set to a non-finite value directly.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        let phi1 = self.lat.to_radians();
        let phi2 = other.lat.to_radians();
        let d_phi = (other.lat - self.lat).to_radians();
        let d_lambda = (other.lon - self.lon).to_radians();
        let h =
            (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
        // Rounding can push h a hair above 1 for near-antipodal points, and
        // asin of that is NaN; clamping keeps the result at half the
        // circumference instead.
        2.0 * EARTH_RADIUS_M * h.clamp(0.0, 1.0).sqrt().asin()
    }
}

/// Decides whether a check-in happened at the customer.
///
/// `fix` is the device position with its reported accuracy radius in
/// metres; `customer` is the stored customer location; `radius_m` the fence.
///
/// Accuracy rule: the device is somewhere within `accuracy` of the fix, so
/// the verdict is only definite when the whole uncertainty circle is on one
/// side of the fence:
/// - `Verified` when `distance + accuracy <= radius_m`;
/// - `OutOfRange` when `distance - accuracy > radius_m`;
/// - `Unverifiable` otherwise (the circle straddles the fence).
///
/// A false `Verified` would reward a visit that did not happen, and a false
/// `OutOfRange` would accuse a rep who was there, so an uncertain case is
/// reported as such rather than forced either way. It follows that a fix
/// whose accuracy is worse than the radius can never be `Verified`, yet can
/// still be a definite `OutOfRange` when it is far enough away. With zero
/// accuracy this is exactly "distance <= radius". Note that phone OSes
/// report accuracy at roughly 68% confidence, so this is a fair, not
/// absolute, bound; the customer's stored position carries its own error
/// that is not modelled here.
///
/// The distance is returned whenever both positions are present and
/// usable, even when the verdict is `Unverifiable`, so the UI can show it.
/// A non-finite or negative accuracy or radius is treated as unusable input
/// and gives `Unverifiable` (never a guess).
pub fn geofence(
    fix: Option<(GeoPoint, f64)>,
    customer: Option<GeoPoint>,
    radius_m: f64,
) -> (GeofenceVerdict, Option<f64>) {
    let (Some((device, accuracy_m)), Some(customer)) = (fix, customer) else {
        return (GeofenceVerdict::Unverifiable, None);
    };
    let distance = device.distance_m(&customer);
    if !distance.is_finite() {
        return (GeofenceVerdict::Unverifiable, None);
    }
    let usable = |x: f64| x.is_finite() && x >= 0.0;
    if !usable(accuracy_m) || !usable(radius_m) {
        return (GeofenceVerdict::Unverifiable, Some(distance));
    }
    let verdict = if distance + accuracy_m <= radius_m {
        GeofenceVerdict::Verified
    } else if distance - accuracy_m > radius_m {
        GeofenceVerdict::OutOfRange
    } else {
        GeofenceVerdict::Unverifiable
    };
    (verdict, Some(distance))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIANANMEN: GeoPoint = GeoPoint {
        lat: 39.9087,
        lon: 116.3975,
    };

    fn point(lat: f64, lon: f64) -> GeoPoint {
        match GeoPoint::new(lat, lon) {
            Ok(p) => p,
            Err(e) => panic!("test coordinate rejected: {e}"),
        }
    }

    /// A point `metres` due north of `from`: along a meridian the
    /// great-circle distance is exactly R * delta-latitude.
    fn north_of(from: GeoPoint, metres: f64) -> GeoPoint {
        point(from.lat + (metres / EARTH_RADIUS_M).to_degrees(), from.lon)
    }

    /// Spherical law of cosines: a different formula from the haversine
    /// under test, used as an independent expected value.
    fn law_of_cosines_m(a: GeoPoint, b: GeoPoint) -> f64 {
        let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
        let dl = (b.lon - a.lon).to_radians();
        let c = p1.sin() * p2.sin() + p1.cos() * p2.cos() * dl.cos();
        EARTH_RADIUS_M * c.clamp(-1.0, 1.0).acos()
    }

    fn assert_close(actual: f64, expected: f64, tolerance: f64) {
        assert!(
            (actual - expected).abs() <= tolerance,
            "{actual} not within {tolerance} of {expected}"
        );
    }

    #[test]
    fn new_accepts_range_boundaries() {
        assert!(GeoPoint::new(90.0, 180.0).is_ok());
        assert!(GeoPoint::new(-90.0, -180.0).is_ok());
        assert_eq!(GeoPoint::new(39.9087, 116.3975), Ok(TIANANMEN));
    }

    #[test]
    fn new_rejects_out_of_range_latitude_and_longitude() {
        assert_eq!(
            GeoPoint::new(90.000_001, 0.0),
            Err(GeoError::LatitudeOutOfRange)
        );
        assert_eq!(GeoPoint::new(-91.0, 0.0), Err(GeoError::LatitudeOutOfRange));
        assert_eq!(
            GeoPoint::new(0.0, 180.5),
            Err(GeoError::LongitudeOutOfRange)
        );
        // Swapped lat/lon, a classic import bug, is caught for China.
        assert_eq!(
            GeoPoint::new(116.3975, 39.9087),
            Err(GeoError::LatitudeOutOfRange)
        );
    }

    #[test]
    fn new_rejects_nan_and_infinity() {
        assert_eq!(GeoPoint::new(f64::NAN, 0.0), Err(GeoError::NotFinite));
        assert_eq!(GeoPoint::new(0.0, f64::NAN), Err(GeoError::NotFinite));
        assert_eq!(GeoPoint::new(f64::INFINITY, 0.0), Err(GeoError::NotFinite));
    }

    #[test]
    fn distance_to_itself_is_zero() {
        assert_eq!(TIANANMEN.distance_m(&TIANANMEN), 0.0);
    }

    #[test]
    fn distance_one_km_north_of_tiananmen_matches_meridian_arc() {
        let north = north_of(TIANANMEN, 1_000.0);
        assert_close(TIANANMEN.distance_m(&north), 1_000.0, 1e-6);
        // 0.009 degrees of latitude = R * 0.009 * pi / 180 = 1000.75 m.
        let expected = EARTH_RADIUS_M * 0.009_f64.to_radians();
        assert_close(expected, 1_000.75, 0.01);
        let p = point(TIANANMEN.lat + 0.009, TIANANMEN.lon);
        assert_close(TIANANMEN.distance_m(&p), expected, 1e-6);
    }

    #[test]
    fn distance_east_of_tiananmen_matches_law_of_cosines() {
        // 0.0117 degrees of longitude at 39.9 N is roughly 1 km.
        let east = point(TIANANMEN.lat, TIANANMEN.lon + 0.0117);
        let d = TIANANMEN.distance_m(&east);
        assert_close(d, law_of_cosines_m(TIANANMEN, east), 1e-3);
        assert_close(d, 1_000.0, 5.0);
    }

    #[test]
    fn beijing_to_shanghai_is_about_1067_km() {
        let peoples_square = point(31.2304, 121.4737);
        let d = TIANANMEN.distance_m(&peoples_square);
        assert_close(d, law_of_cosines_m(TIANANMEN, peoples_square), 1e-3);
        assert_close(d, 1_067_000.0, 3_000.0);
    }

    #[test]
    fn distance_is_symmetric() {
        let other = point(22.5431, 114.0579);
        assert_eq!(TIANANMEN.distance_m(&other), other.distance_m(&TIANANMEN));
    }

    #[test]
    fn antipodal_distance_is_half_circumference_not_nan() {
        let d = point(0.0, 0.0).distance_m(&point(0.0, 180.0));
        assert_close(d, std::f64::consts::PI * EARTH_RADIUS_M, 1e-3);
    }

    #[test]
    fn missing_fix_or_customer_is_unverifiable_without_distance() {
        let fix = Some((TIANANMEN, 10.0));
        assert_eq!(
            geofence(None, Some(TIANANMEN), DEFAULT_GEOFENCE_RADIUS_M),
            (GeofenceVerdict::Unverifiable, None)
        );
        assert_eq!(
            geofence(fix, None, DEFAULT_GEOFENCE_RADIUS_M),
            (GeofenceVerdict::Unverifiable, None)
        );
        assert_eq!(
            geofence(None, None, DEFAULT_GEOFENCE_RADIUS_M),
            (GeofenceVerdict::Unverifiable, None)
        );
    }

    #[test]
    fn precise_fix_inside_radius_is_verified_with_distance() {
        let device = north_of(TIANANMEN, 300.0);
        let (verdict, distance) = geofence(
            Some((device, 20.0)),
            Some(TIANANMEN),
            DEFAULT_GEOFENCE_RADIUS_M,
        );
        assert_eq!(verdict, GeofenceVerdict::Verified);
        assert_close(distance.unwrap_or(f64::NAN), 300.0, 1e-6);
    }

    #[test]
    fn precise_fix_one_km_away_is_out_of_range() {
        let device = north_of(TIANANMEN, 1_000.0);
        let (verdict, distance) = geofence(
            Some((device, 20.0)),
            Some(TIANANMEN),
            DEFAULT_GEOFENCE_RADIUS_M,
        );
        assert_eq!(verdict, GeofenceVerdict::OutOfRange);
        assert_close(distance.unwrap_or(f64::NAN), 1_000.0, 1e-6);
    }

    #[test]
    fn exact_fix_on_the_boundary_is_verified() {
        let device = north_of(TIANANMEN, 500.0);
        let d = device.distance_m(&TIANANMEN);
        assert_eq!(
            geofence(Some((device, 0.0)), Some(TIANANMEN), d),
            (GeofenceVerdict::Verified, Some(d))
        );
        assert_eq!(
            geofence(Some((device, 0.0)), Some(TIANANMEN), d - 0.01).0,
            GeofenceVerdict::OutOfRange
        );
    }

    #[test]
    fn accuracy_circle_straddling_the_fence_is_unverifiable_but_keeps_distance() {
        let device = north_of(TIANANMEN, 480.0);
        let (verdict, distance) = geofence(
            Some((device, 50.0)),
            Some(TIANANMEN),
            DEFAULT_GEOFENCE_RADIUS_M,
        );
        assert_eq!(verdict, GeofenceVerdict::Unverifiable);
        assert_close(distance.unwrap_or(f64::NAN), 480.0, 1e-6);
        // Just outside, same accuracy: still undecidable.
        let device = north_of(TIANANMEN, 530.0);
        assert_eq!(
            geofence(Some((device, 50.0)), Some(TIANANMEN), 500.0).0,
            GeofenceVerdict::Unverifiable
        );
    }

    #[test]
    fn accuracy_worse_than_radius_is_never_verified_even_at_the_customer() {
        let (verdict, distance) = geofence(
            Some((TIANANMEN, 800.0)),
            Some(TIANANMEN),
            DEFAULT_GEOFENCE_RADIUS_M,
        );
        assert_eq!(verdict, GeofenceVerdict::Unverifiable);
        assert_eq!(distance, Some(0.0));
    }

    #[test]
    fn imprecise_fix_far_away_is_still_out_of_range() {
        let device = north_of(TIANANMEN, 5_000.0);
        assert_eq!(
            geofence(Some((device, 1_500.0)), Some(TIANANMEN), 500.0).0,
            GeofenceVerdict::OutOfRange
        );
    }

    #[test]
    fn unusable_accuracy_or_radius_is_unverifiable() {
        let device = north_of(TIANANMEN, 100.0);
        for (accuracy, radius) in [
            (f64::NAN, 500.0),
            (-1.0, 500.0),
            (f64::INFINITY, 500.0),
            (10.0, f64::NAN),
            (10.0, -5.0),
        ] {
            let (verdict, distance) = geofence(Some((device, accuracy)), Some(TIANANMEN), radius);
            assert_eq!(verdict, GeofenceVerdict::Unverifiable);
            assert!(distance.is_some());
        }
    }

    #[test]
    fn nan_coordinates_set_directly_are_unverifiable() {
        let bogus = GeoPoint {
            lat: f64::NAN,
            lon: 116.0,
        };
        assert_eq!(
            geofence(Some((bogus, 5.0)), Some(TIANANMEN), 500.0),
            (GeofenceVerdict::Unverifiable, None)
        );
    }

    #[test]
    fn default_radius_is_500_metres() {
        assert_eq!(DEFAULT_GEOFENCE_RADIUS_M, 500.0);
    }
}
