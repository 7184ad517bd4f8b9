"""Valid: letters instead of option texts, in the forms a learner might type."""

# Q1. Which field models a many-to-one relationship?
#   a) ForeignKey
#   b) ManyToManyField
#   c) OneToOneField
#   d) CharField
Q1 = "a"

# Q2. Which field models a many-to-many relationship?
#   a) ForeignKey
#   b) ManyToManyField
#   c) OneToOneField
#   d) IntegerField
Q2 = "B"

# Q3. Which field is used for a one-to-one relationship like a user profile?
#   a) ForeignKey
#   b) ManyToManyField
#   c) OneToOneField
#   d) SlugField
Q3 = "c)"

# Q4. Which argument is required on every ForeignKey?
#   a) related_name
#   b) null
#   c) default
#   d) on_delete
Q4 = "(d)"

# Q5. What does on_delete=models.CASCADE do?
#   a) Blocks the deletion
#   b) Deletes the rows that point to the deleted record too
#   c) Sets the link to null
#   d) Sets a default value
Q5 = "b"

# Q6. What does related_name control?
#   a) The attribute used for reverse access from the related side
#   b) The database table name
#   c) The field's default value
#   d) The on_delete behaviour
Q6 = " A "

# Q7. Without related_name, how do you access posts from an author?
#   a) author.posts.all()
#   b) author.posts_all()
#   c) author.post_set.all()
#   d) author.get_posts()
Q7 = "c"

# Q8. Which ManyToManyField method replaces the entire set of links at once?
#   a) add()
#   b) remove()
#   c) clear()
#   d) set()
Q8 = "d."

# Q9. How do you filter posts written by an author named 'Alice'?
#   a) Post.objects.filter(author__name='Alice')
#   b) Post.objects.filter(author.name='Alice')
#   c) Post.objects.filter(author='Alice')
#   d) Post.objects.get(name='Alice')
Q9 = "a"

# Q10. On which table does Django add the column for a ForeignKey?
#   a) The target model's table
#   b) A new join table
#   c) The model holding the ForeignKey
#   d) Both tables
Q10 = "c"
