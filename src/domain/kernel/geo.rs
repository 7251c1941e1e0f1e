//! Geography at city scale: coordinate checks and distances by the equirectangular
//! approximation (within a few metres of the great circle over tens of kilometres), the same one
//! the database queries use for "near me" and dispatch radii, so a task listed as 4.9 km away is
//! also inside a 5 km service area.

use crate::domain::{DomainError, DomainResult};

/// Kilometres per degree of latitude.
pub const KM_PER_DEGREE: f64 = 111.32;

/// Checks a latitude/longitude pair is on Earth; both or neither.
pub fn validate_lat_lng(lat: Option<f64>, lng: Option<f64>) -> DomainResult<()> {
    match (lat, lng) {
        (None, None) => Ok(()),
        (Some(lat), Some(lng)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) => Ok(()),
        (Some(_), Some(_)) => {
            Err(DomainError::invalid("invalid_coordinates", "lat must be within ±90 and lng within ±180"))
        }
        _ => Err(DomainError::invalid("invalid_coordinates", "lat and lng go together")),
    }
}

/// Kilometres between two points.
pub fn distance_km(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let k = lat1.to_radians().cos();
    let dlat = lat2 - lat1;
    let dlng = (lng2 - lng1) * k;
    (dlat * dlat + dlng * dlng).sqrt() * KM_PER_DEGREE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_close_to_great_circle_at_city_scale() {
        // Suzhou centre to Suzhou Industrial Park: about 9.6 km.
        let d = distance_km(31.2989, 120.5853, 31.3159, 120.6845);
        assert!((d - 9.6).abs() < 0.3, "{d}");
        assert_eq!(distance_km(31.0, 120.0, 31.0, 120.0), 0.0);
    }

    #[test]
    fn coordinates_go_together_and_stay_on_earth() {
        assert!(validate_lat_lng(None, None).is_ok());
        assert!(validate_lat_lng(Some(31.3), Some(120.6)).is_ok());
        assert!(validate_lat_lng(Some(31.3), None).is_err());
        assert!(validate_lat_lng(Some(91.0), Some(0.0)).is_err());
        assert!(validate_lat_lng(Some(0.0), Some(-181.0)).is_err());
    }
}
