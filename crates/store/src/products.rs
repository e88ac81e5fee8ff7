//! Per-user favourite products.

use crate::{Conn, StoreResult, exec, run};

pub async fn favorites(c: &mut impl Conn, user_id: i64) -> StoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = run!(c, |db| sqlx::query_as(
        "SELECT product_id FROM product_favorites WHERE user_id = $1 ORDER BY product_id"
    )
    .bind(user_id)
    .fetch_all(db)
    .await)?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

pub async fn set_favorite(c: &mut impl Conn, user_id: i64, product_id: i64, favorite: bool) -> StoreResult<()> {
    if favorite {
        const SQL: &str = "INSERT INTO product_favorites (user_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        exec!(c, sqlx::query(SQL).bind(user_id).bind(product_id))?;
    } else {
        exec!(
            c,
            sqlx::query("DELETE FROM product_favorites WHERE user_id = $1 AND product_id = $2")
                .bind(user_id)
                .bind(product_id)
        )?;
    }
    Ok(())
}
