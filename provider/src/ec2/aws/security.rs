//! Security groups and their ingress rules, plus tags.

use aws_sdk_ec2::types::ResourceType;

use super::convert::{expand_rules, expand_tags, tag_spec};
use super::errors::{api_code, gone_is_done};
use super::network::no_id;
use super::AwsEc2;
use crate::ec2::types::{IngressRule, Tags};
use crate::ec2::Action;
use crate::ec2::Ec2Error;

impl AwsEc2 {
    pub(super) async fn create_security_group_impl(
        &self,
        region: &str,
        vpc_id: &str,
        name: &str,
        description: &str,
        tags: &Tags,
    ) -> Result<String, Ec2Error> {
        let client = self.client(region).await;
        let spec = tag_spec(ResourceType::SecurityGroup, tags);
        let out = self
            .send_create(region, Action::CreateSecurityGroup, &[vpc_id], || {
                client
                    .create_security_group()
                    .vpc_id(vpc_id)
                    .group_name(name)
                    .description(description)
                    .set_tag_specifications(spec.clone().map(|s| vec![s]))
                    .send()
            })
            .await?;
        let id = out
            .group_id()
            .ok_or_else(|| no_id("security group"))?
            .to_string();
        self.remember_created(&id);
        Ok(id)
    }

    pub(super) async fn delete_security_group_impl(
        &self,
        region: &str,
        group_id: &str,
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let r = self
            .send(region, Action::DeleteSecurityGroup, &[group_id], || {
                client.delete_security_group().group_id(group_id).send()
            })
            .await;
        self.deleted(group_id, r.map(drop))
    }

    /// One call for all rules. EC2 refuses the whole call when any rule exists already
    /// (`InvalidPermission.Duplicate`); then each rule is authorized on its own and
    /// duplicates are skipped.
    pub(super) async fn authorize_ingress_impl(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        if rules.is_empty() {
            return Ok(());
        }
        let all = self.authorize_once(region, group_id, rules).await;
        match all {
            Err(e) if api_code(&e) == Some("InvalidPermission.Duplicate") && rules.len() > 1 => {
                for rule in rules {
                    match self
                        .authorize_once(region, group_id, std::slice::from_ref(rule))
                        .await
                    {
                        Err(e) if api_code(&e) == Some("InvalidPermission.Duplicate") => {}
                        other => other?,
                    }
                }
                Ok(())
            }
            Err(e) if api_code(&e) == Some("InvalidPermission.Duplicate") => Ok(()),
            other => other,
        }
    }

    async fn authorize_once(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let permissions = expand_rules(rules);
        self.send(
            region,
            Action::AuthorizeSecurityGroupIngress,
            &[group_id],
            || {
                client
                    .authorize_security_group_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(permissions.clone()))
                    .send()
            },
        )
        .await
        .map(drop)
    }

    /// One call for all rules; rules that are not there (any more) are not an error.
    pub(super) async fn revoke_ingress_impl(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        if rules.is_empty() {
            return Ok(());
        }
        match self.revoke_once(region, group_id, rules).await {
            // Older EC2 behaviour (and moto): the whole call fails on one missing rule.
            Err(Ec2Error::NotFound {
                kind: "security group rule",
                ..
            }) if rules.len() > 1 => {
                for rule in rules {
                    match self
                        .revoke_once(region, group_id, std::slice::from_ref(rule))
                        .await
                    {
                        Err(Ec2Error::NotFound {
                            kind: "security group rule",
                            ..
                        }) => {}
                        other => gone_is_done(other)?,
                    }
                }
                Ok(())
            }
            other => gone_is_done(other),
        }
    }

    async fn revoke_once(
        &self,
        region: &str,
        group_id: &str,
        rules: &[IngressRule],
    ) -> Result<(), Ec2Error> {
        let client = self.client(region).await;
        let permissions = expand_rules(rules);
        self.send(
            region,
            Action::RevokeSecurityGroupIngress,
            &[group_id],
            || {
                client
                    .revoke_security_group_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(permissions.clone()))
                    .send()
            },
        )
        .await
        .map(drop)
    }

    pub(super) async fn set_tags_impl(
        &self,
        region: &str,
        resource_ids: &[String],
        add: &Tags,
        remove: &[String],
    ) -> Result<(), Ec2Error> {
        if resource_ids.is_empty() {
            return Ok(());
        }
        let client = self.client(region).await;
        let ids: Vec<&str> = resource_ids.iter().map(String::as_str).collect();
        if !add.is_empty() {
            let tags = expand_tags(add);
            self.send(region, Action::CreateTags, &ids, || {
                client
                    .create_tags()
                    .set_resources(Some(resource_ids.to_vec()))
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await?;
        }
        if !remove.is_empty() {
            let keys: Vec<_> = remove
                .iter()
                .map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build())
                .collect();
            self.send(region, Action::DeleteTags, &ids, || {
                client
                    .delete_tags()
                    .set_resources(Some(resource_ids.to_vec()))
                    .set_tags(Some(keys.clone()))
                    .send()
            })
            .await?;
        }
        Ok(())
    }
}
