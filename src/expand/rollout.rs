//! Rollout tracks: the Deployments a service runs as (one normally; blue and green;
//! or stable and canary), and which track the Service sends traffic to.

use crate::spec::Service;

/// Label that tells tracks of one service apart.
pub const TRACK: &str = "genk8s.io/track";

/// One Deployment of a service.
pub struct Track {
    pub deployment: String,
    /// Value of the track label, when the service has more than one track.
    pub label: Option<&'static str>,
    pub image: String,
    /// Fixed replicas for this track (the canary), overriding the service's.
    pub replicas: Option<i32>,
    /// Whether the service's autoscaler drives this track.
    pub autoscaled: bool,
}

fn with_tag(svc: &Service, tag: Option<&String>) -> String {
    match tag {
        Some(t) => Service { tag: Some(t.clone()), ..svc.clone() }.image_ref(),
        None => svc.image_ref(),
    }
}

pub fn tracks(name: &str, svc: &Service) -> Vec<Track> {
    let autoscaled = svc.autoscale.is_some();
    let rollout = svc.rollout.as_ref();
    if let Some(bg) = rollout.and_then(|r| r.blue_green.as_ref()) {
        let live = live(svc);
        return [("blue", bg.blue.as_ref()), ("green", bg.green.as_ref())]
            .into_iter()
            .map(|(color, tag)| {
                // The idle colour may run a fixed number of pods (0: scaled to zero).
                let idle = (Some(color) != live).then_some(bg.idle_replicas).flatten();
                Track {
                    deployment: format!("{name}-{color}"),
                    label: Some(color),
                    image: with_tag(svc, tag),
                    replicas: idle,
                    autoscaled: autoscaled && idle.is_none(),
                }
            })
            .collect();
    }
    let stable =
        Track { deployment: name.to_string(), label: None, image: svc.image_ref(), replicas: None, autoscaled };
    match rollout.and_then(|r| r.canary.as_ref()) {
        Some(c) => vec![
            Track { label: Some("stable"), ..stable },
            Track {
                deployment: format!("{name}-canary"),
                label: Some("canary"),
                image: with_tag(svc, Some(&c.tag)),
                replicas: Some(c.replicas.unwrap_or(1)),
                autoscaled: false,
            },
        ],
        None => vec![stable],
    }
}

/// The track the Service `<svc>` selects, when the service has tracks.
pub fn live(svc: &Service) -> Option<&'static str> {
    let r = svc.rollout.as_ref()?;
    match (&r.blue_green, &r.canary) {
        (Some(bg), _) => Some(if bg.live == "green" { "green" } else { "blue" }),
        (None, Some(_)) => Some("stable"),
        _ => None,
    }
}

/// The other Service of a rollout: `<svc>-preview` (the idle colour) or `<svc>-canary`.
pub fn second_service(name: &str, svc: &Service) -> Option<(String, &'static str)> {
    let r = svc.rollout.as_ref()?;
    match (&r.blue_green, &r.canary) {
        (Some(bg), _) => Some((format!("{name}-preview"), if bg.live == "green" { "blue" } else { "green" })),
        (None, Some(_)) => Some((format!("{name}-canary"), "canary")),
        _ => None,
    }
}
